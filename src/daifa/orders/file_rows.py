"""The order file's columns and the check of each row on its own (no database)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from daifa.catalog.rules import yuan_to_fen
from daifa.catalog.schemas import CODE_PATTERN
from daifa.orders import rules
from daifa.orders.schemas import MAX_QUANTITY
from daifa.sheets import cells
from daifa.sheets.messages import N_, RowError, row_error
from daifa.sheets.read import Cell
from daifa.sheets.table import Column, Layout

LAYOUT = Layout(
    columns=(
        Column("external_id", N_("external_id"), "订单号", ("订单编号", "order_no", "order_id"),
               is_id=True),
        Column("buyer_name", N_("buyer_name"), "收件人", ("收货人", "收货人姓名", "name")),
        Column("buyer_phone", N_("buyer_phone"), "手机号",
               ("收货人手机", "联系电话", "电话", "phone"), is_id=True),
        Column("province", N_("province"), "省", ("省份",)),
        Column("city", N_("city"), "市", ("城市",)),
        Column("district", N_("district"), "区", ("区县",)),
        Column("address_detail", N_("address_detail"), "详细地址", ("地址", "address", "detail")),
        Column("sku_code", N_("sku_code"), "SKU编码", ("规格编码", "sku"), is_id=True),
        Column("quantity", N_("quantity"), "数量", ("购买数量", "qty")),
        Column("unit_price_fen", N_("unit_price_fen"), "单价(分)", ("单价分",)),
        Column("unit_price", N_("unit_price"), "单价", ("单价(元)", "商品单价")),
        Column("paid_at", N_("paid_at"), "付款时间", ("支付时间",)),
    ),
    required=(("external_id",), ("buyer_name",), ("buyer_phone",), ("province",), ("city",),
              ("district",), ("address_detail",), ("sku_code",), ("quantity",),
              ("unit_price_fen", "unit_price")),
)
MESSAGES = {
    "MISSING_PRICE": N_("required (unit price in yuan, or in fen)"),
    "INVALID_PHONE": N_("not a valid phone number"),
    "INVALID_TIME": N_("a time like 2026-03-01 14:30:00"),
    "PAID_AT_OUT_OF_RANGE": N_("a payment time from the last %(days)s days, not in the future"),
    "TOO_MANY_LINES": N_("at most %(n)s lines per order"),
    "ORDER_HAS_BAD_ROWS": N_("order not imported: row %(rows)s of this order has errors"),
    "INVALID_VALUE": N_("not valid: %(detail)s"),
}
ORDER_FIELDS = ("buyer_name", "buyer_phone", "province", "city", "district", "address_detail")
LIMITS = {"external_id": 64, "sku_code": 64, "buyer_name": 80, "province": 40, "city": 40,
          "district": 40, "address_detail": 255}
_IDS = frozenset(column.name for column in LAYOUT.columns if column.is_id)
_CODE = re.compile(CODE_PATTERN)


@dataclass
class Row:
    number: int
    cells: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    quantity: int = 0
    price_fen: int = 0

    @classmethod
    def read(cls, number: int, values: Sequence[Cell], index: dict[str, int]) -> Row:
        """The row's cells as text; an ID that Excel turned into a number is an error."""
        row = cls(number, {})
        for name, position in index.items():
            value = values[position] if position < len(values) else ""
            try:
                row.cells[name] = cells.id_text(value) if name in _IDS else cells.text(value)
            except cells.CellError as problem:
                row.cells[name] = ""
                row.fail(name, problem.code, **problem.params)
        return row

    @property
    def external_id(self) -> str:
        return self.cells.get("external_id", "")

    def fail(self, column: str | None, code: str, /, **params: object) -> None:
        self.errors.append(row_error(self.number, column, code, MESSAGES, **params))

    def failed(self, column: str) -> bool:
        return any(error.column == column for error in self.errors)


def _check_text(row: Row, name: str, *, required: bool) -> None:
    value = row.cells.get(name, "")
    if row.failed(name):
        return
    if not value:
        if required:
            row.fail(name, "MISSING_VALUE")
    elif len(value) > LIMITS.get(name, 255):
        row.fail(name, "TOO_LONG", n=LIMITS[name])


def _check_sku(row: Row) -> None:
    value = row.cells.get("sku_code", "")
    if value and not _CODE.match(value) and not row.failed("sku_code"):
        row.fail("sku_code", "INVALID_SKU_CODE", n=LIMITS["sku_code"])
    else:
        _check_text(row, "sku_code", required=True)


def _check_quantity(row: Row) -> None:
    try:
        row.quantity = cells.whole(row.cells.get("quantity", ""), 1, MAX_QUANTITY,
                                   "INVALID_QUANTITY")
    except cells.CellError as problem:
        row.fail("quantity", problem.code, **problem.params)


def _check_price(row: Row) -> None:
    fen_text = row.cells.get("unit_price_fen", "")
    if fen_text:
        try:
            row.price_fen = cells.whole(fen_text, 0, 10**12, "INVALID_FEN")
        except cells.CellError:
            row.fail("unit_price_fen", "INVALID_FEN")
        return
    yuan = row.cells.get("unit_price", "")
    if not yuan:
        row.fail("unit_price", "MISSING_PRICE")
        return
    try:
        row.price_fen = yuan_to_fen(yuan)
    except ValueError:
        row.fail("unit_price", "INVALID_YUAN")
        return
    if row.price_fen < 0:
        row.fail("unit_price", "NEGATIVE_AMOUNT")


def _check_phone(row: Row) -> None:
    phone = row.cells.get("buyer_phone", "")
    if phone:
        try:
            rules.normalise_phone(phone)
        except ValueError:
            row.fail("buyer_phone", "INVALID_PHONE")


def parse_paid_at(raw: str, zone: ZoneInfo) -> datetime | None:
    """`YYYY-MM-DD HH:MM[:SS]` (or ISO) in the display zone unless it names its own offset."""
    text = raw.strip().replace("/", "-")
    if not text:
        return None
    value = datetime.fromisoformat(text)  # ValueError when it is not a time
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # year 1 east of UTC, or year 9999 west of it
        raise ValueError(text) from exc


def check_row(row: Row, *, first: bool) -> None:
    """A line row's own fields; the order fields only on the order's first row."""
    _check_text(row, "external_id", required=True)
    _check_sku(row)
    _check_quantity(row)
    _check_price(row)
    if not first:
        return
    for name in ORDER_FIELDS:
        _check_text(row, name, required=True)
    _check_phone(row)
    try:
        parse_paid_at(row.cells.get("paid_at", ""), ZoneInfo("UTC"))
    except ValueError:
        row.fail("paid_at", "INVALID_TIME")
