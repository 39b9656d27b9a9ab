"""Supplier products from a spreadsheet: the columns and the row check (no database).

One row per SKU; rows of one product share its spu_code. Upserts by code (import_db), so
importing the same file again changes nothing. Product fields (title, region, handling time)
come from the first row of each product that fills them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from daifa.catalog import rules
from daifa.catalog.schemas import CODE_PATTERN
from daifa.sheets import cells
from daifa.sheets.messages import N_, RowError, row_error
from daifa.sheets.read import Cell
from daifa.sheets.table import Column, Layout, Sheet, filled

LAYOUT = Layout(
    columns=(
        Column("spu_code", N_("spu_code"), "商品编码", ("SPU编码", "spu"), is_id=True),
        Column("title", N_("title"), "商品名称", ("商品标题", "标题")),
        Column("sku_code", N_("sku_code"), "SKU编码", ("sku", "规格编码"), is_id=True),
        Column("supply_price_fen", N_("supply_price_fen"), "供货价(分)", ("供货价分",)),
        Column("supply_price", N_("supply_price"), "供货价", ("供货价(元)",)),
        Column("stock", N_("stock"), "库存"),
        Column("ship_from_region", N_("ship_from_region"), "发货地"),
        Column("spec", N_("spec"), "规格"),
        Column("handling_hours", N_("handling_hours"), "发货时效(小时)", ("发货时效",)),
    ),
    required=(("spu_code",), ("sku_code",), ("supply_price_fen", "supply_price")),
)
MESSAGES = {
    "MISSING_PRICE": N_("required (supply price in yuan, or in fen)"),
    "TITLE_REQUIRED": N_("required for a new product"),
    "DUPLICATE_SKU_CODE": N_("already in row %(row)s; each SKU once per file"),
    "SKU_OF_ANOTHER_PRODUCT": N_("belongs to product %(spu)s of this supplier"),
}
TEXT_LIMITS = {"title": 200, "ship_from_region": 80, "spec": 120}
CODE_LENGTH = 64
_CODE = re.compile(CODE_PATTERN)


@dataclass
class Row:
    """One data row after checking, before it touches the database."""

    number: int
    spu_code: str
    sku_code: str
    title: str = ""
    price_fen: int | None = None
    stock: int | None = None  # None: leave as is (new SKUs: not tracked)
    region: str = ""
    spec: str = ""
    handling_hours: int | None = None
    errors: list[RowError] = field(default_factory=list)

    def fail(self, column: str | None, code: str, /, **params: object) -> None:
        self.errors.append(row_error(self.number, column, code, MESSAGES, **params))


class _Cells:
    """A row's cells by column name, read once."""

    def __init__(self, row: Row, values: Sequence[Cell], index: dict[str, int]) -> None:
        self.row, self.values, self.index = row, values, index

    def raw(self, name: str) -> Cell:
        position = self.index.get(name, -1)
        return self.values[position] if 0 <= position < len(self.values) else ""

    def text(self, name: str) -> str:
        value = cells.text(self.raw(name))
        limit = TEXT_LIMITS.get(name)
        if limit is not None and len(value) > limit:
            self.row.fail(name, "TOO_LONG", n=limit)
            return value[:limit]
        return value

    def code(self, name: str, code: str) -> str:
        try:
            value = cells.id_text(self.raw(name))
        except cells.CellError as problem:
            self.row.fail(name, problem.code, **problem.params)
            return ""
        if not value:
            self.row.fail(name, "MISSING_VALUE")
        elif len(value) > CODE_LENGTH or not _CODE.match(value):
            self.row.fail(name, code, n=CODE_LENGTH)
        return value

    def count(self, name: str, high: int) -> int | None:
        value = self.raw(name)
        if not filled(value):
            return None
        try:
            return cells.whole(value, 0, high)
        except cells.CellError as problem:
            self.row.fail(name, problem.code, **problem.params)
            return None


def _price(found: _Cells) -> int | None:
    if filled(found.raw("supply_price_fen")):
        try:
            return cells.whole(found.raw("supply_price_fen"), 0, 10**12, "INVALID_FEN")
        except cells.CellError:
            found.row.fail("supply_price_fen", "INVALID_FEN")
            return None
    yuan = found.text("supply_price")
    if not yuan:
        found.row.fail("supply_price_fen", "MISSING_PRICE")
        return None
    try:
        fen = rules.yuan_to_fen(yuan)
    except ValueError:
        found.row.fail("supply_price", "INVALID_YUAN")
        return None
    if fen < 0:
        found.row.fail("supply_price", "NEGATIVE_AMOUNT")
        return None
    return fen


def check_row(number: int, values: Sequence[Cell], index: dict[str, int]) -> Row:
    row = Row(number=number, spu_code="", sku_code="")
    found = _Cells(row, values, index)
    row.spu_code = found.code("spu_code", "INVALID_SPU_CODE")
    row.sku_code = found.code("sku_code", "INVALID_SKU_CODE")
    row.price_fen = _price(found)
    row.stock = found.count("stock", 10**9)
    row.handling_hours = found.count("handling_hours", 720)
    row.title = found.text("title")
    row.region = found.text("ship_from_region")
    row.spec = found.text("spec")
    return row


def _mark_duplicates(rows: Iterable[Row]) -> None:
    first: dict[str, int] = {}
    for row in rows:
        if row.sku_code in first:
            row.fail("sku_code", "DUPLICATE_SKU_CODE", row=first[row.sku_code])
        elif row.sku_code:
            first[row.sku_code] = row.number


def check(sheet: Sheet) -> list[Row]:
    rows = [check_row(number, values, sheet.index) for number, values in sheet.rows]
    _mark_duplicates(rows)
    return rows
