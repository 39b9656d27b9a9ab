"""Shipping spreadsheets: the declaration's columns, the row check, and the template.

Pure: nothing here reads the database. What can be checked without it is checked per row
(carrier, tracking-number shape, quantity, IDs that Excel turned into numbers, duplicates within
the file); whether the dispatch order exists, belongs to the supplier and has that much left to
ship is upload's job. Files are read by the shared reader (daifa.sheets).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from daifa.config import Settings
from daifa.sheets import cells
from daifa.sheets.importer import collector_paused, limits_of
from daifa.sheets.messages import RowError, row_error
from daifa.sheets.read import Cell, FileType
from daifa.sheets.table import Sheet, filled, read_sheet
from daifa.shipping.carriers import CARRIERS, find_carrier, normalise_tracking_no, shape_warnings
from daifa.shipping.errors import InvalidTrackingNo
from daifa.shipping.sheet_layout import LAYOUT, MESSAGES

FIELDS = tuple(LAYOUT.names())
MAX_QUANTITY = 1_000_000
MAX_CODE_LENGTH = 64

T = TypeVar("T")
_Check = Callable[[Cell], T]


@dataclass(slots=True)
class ShipmentRow:
    row: int  # the spreadsheet's row number: the first data row under a top header is 2
    dispatch_order_no: str | None
    carrier_code: str | None
    tracking_no: str | None
    sku_code: str | None
    quantity: int | None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, column: str | None, code: str, /, **params: object) -> None:
        self.errors.append(row_error(self.row, column, code, MESSAGES, **params))


@dataclass(frozen=True)
class ParsedSheet:
    rows: list[ShipmentRow]
    headers: dict[str, str]  # each column found, with the header text the file used
    file_type: FileType
    encoding: str | None  # for CSV

    @property
    def has_lines(self) -> bool:
        """Whether the file ships per SKU and quantity (partial shipments)."""
        return "sku_code" in self.headers


def parse_shipments(data: bytes, filename: str | None = None, *,
                    max_rows: int | None = None) -> ParsedSheet:
    """Read and check a shipping file (whole-file problems raise; row problems are on rows)."""
    settings = Settings()
    if max_rows is not None:
        settings = settings.model_copy(update={"sheet_max_rows": max_rows})
    with collector_paused():
        sheet = read_sheet(data, filename, LAYOUT, limits_of(settings))
        return ParsedSheet(check(sheet), sheet.headers, sheet.file_type, sheet.encoding)


def check(sheet: Sheet) -> list[ShipmentRow]:
    layout = _Layout.of(sheet.index)
    rows = [_parse_row(number, values, layout) for number, values in sheet.rows]
    flag_duplicates(rows)
    return rows


@dataclass(frozen=True, slots=True)
class _Layout:
    """Column index of each field (-1: not in the file) and how many cells a row needs."""

    order_no: int
    carrier: int
    tracking_no: int
    sku_code: int
    quantity: int
    width: int

    @classmethod
    def of(cls, columns: dict[str, int]) -> _Layout:
        order_no, carrier, tracking_no, sku_code, quantity = (
            columns.get(name, -1) for name in FIELDS)
        width = max(order_no, carrier, tracking_no, sku_code, quantity) + 1
        return cls(order_no, carrier, tracking_no, sku_code, quantity, width)


def _parse_row(number: int, values: Sequence[Cell], layout: _Layout) -> ShipmentRow:
    if len(values) < layout.width:
        values = [*values, *[None] * (layout.width - len(values))]
    row = ShipmentRow(number, None, None, None, None, None)
    row.dispatch_order_no = _checked(row, "dispatch_order_no", _dispatch_order_no,
                                     values[layout.order_no])
    row.carrier_code = _checked(row, "carrier", _carrier_code, values[layout.carrier])
    row.tracking_no = _checked(row, "tracking_no", _tracking_no, values[layout.tracking_no])
    if row.carrier_code and row.tracking_no:
        row.warnings.extend(shape_warnings(_CARRIERS[row.carrier_code], row.tracking_no))
    if layout.sku_code >= 0:
        _line_fields(row, values[layout.sku_code], values[layout.quantity])
    return row


def _checked(row: ShipmentRow, name: str, check_cell: _Check[T], value: Cell) -> T | None:
    try:
        return check_cell(value)
    except cells.CellError as problem:
        row.fail(name, problem.code, **problem.params)
        return None


def _line_fields(row: ShipmentRow, sku: Cell, quantity: Cell) -> None:
    """Both empty: the row ships everything left. One without the other is an error."""
    has_sku, has_quantity = filled(sku), filled(quantity)
    if has_sku:
        row.sku_code = _checked(row, "sku_code", _sku_code, sku)
    elif has_quantity:
        row.fail("sku_code", "MISSING_VALUE")
    if has_quantity:
        row.quantity = _checked(row, "quantity", _quantity, quantity)
    elif has_sku:
        row.fail("quantity", "MISSING_VALUE")


# ---------------------------------------------------------------------------------------------
# Cells

_CARRIERS = {carrier.code: carrier for carrier in CARRIERS}
_DISPATCH_ORDER_NO = re.compile(r"[0-9A-Za-z_-]{1,64}")
_SKU_CODE = re.compile(r"[^\s/\\?#%]{1,64}")
_ACCEPTED = ", ".join(f"{c.code} ({c.name})" for c in CARRIERS)


def _required_id(value: Cell) -> str:
    if isinstance(value, str):  # the usual case, kept short: a file has 100,000s of these
        text = value.strip()
        if text and "E" not in text and "e" not in text:
            return text
    text = cells.id_text(value)
    if not text:
        raise cells.CellError("MISSING_VALUE")
    return text


def _dispatch_order_no(value: Cell) -> str:
    number = unicodedata.normalize("NFKC", _required_id(value))
    if not _DISPATCH_ORDER_NO.fullmatch(number):
        raise cells.CellError("INVALID_DISPATCH_ORDER_NO")
    return number


def _carrier_code(value: Cell) -> str:
    text = cells.text(value)
    if not text:
        raise cells.CellError("MISSING_VALUE")
    carrier = find_carrier(text)
    if carrier is None:
        raise cells.CellError("UNKNOWN_CARRIER", text=text[:40], accepted=_ACCEPTED)
    return carrier.code


def _tracking_no(value: Cell) -> str:
    text = _required_id(value)
    try:
        return normalise_tracking_no(text)
    except InvalidTrackingNo as exc:
        raise cells.CellError(exc.code, text=text[:50]) from exc


def _sku_code(value: Cell) -> str:
    code = _required_id(value)
    if not _SKU_CODE.fullmatch(code):
        raise cells.CellError("INVALID_SKU_CODE", n=MAX_CODE_LENGTH)
    return code


def _quantity(value: Cell) -> int:
    if isinstance(value, str) and value.isdigit() and value.isascii():
        number = int(value)
        if 1 <= number <= MAX_QUANTITY:
            return number
    return cells.whole(value, 1, MAX_QUANTITY, "INVALID_QUANTITY")


# ---------------------------------------------------------------------------------------------
# Duplicates within one file


def flag_duplicates(rows: Sequence[ShipmentRow]) -> None:
    """Flag a row repeating an earlier one (same dispatch order, carrier, tracking number and
    SKU), and a tracking number already given to another dispatch order in the same file."""
    seen: dict[tuple[str, str, str, str | None], int] = {}
    owners: dict[tuple[str, str], tuple[str, int]] = {}
    for row in rows:
        if not (row.dispatch_order_no and row.carrier_code and row.tracking_no):
            continue
        key = (row.dispatch_order_no, row.carrier_code, row.tracking_no, row.sku_code)
        first = seen.setdefault(key, row.row)
        if first != row.row:
            row.fail(None, "DUPLICATE_ROW", row=first)
            continue
        owner, owner_row = owners.setdefault((row.carrier_code, row.tracking_no),
                                             (row.dispatch_order_no, row.row))
        if owner != row.dispatch_order_no:
            row.fail("tracking_no", "TRACKING_NO_REUSED", row=owner_row, no=owner)
