"""Shipping spreadsheets: parse and check an upload, and make the template to fill in.

Pure I/O on bytes: nothing here reads the database. What can be checked without it is checked per
row (carrier, tracking-number shape, quantity, IDs that Excel turned into numbers, duplicates
within the file); whether the dispatch order exists, belongs to the supplier and has that much
left to ship is the service's job.

Files are read by ``sheet_files`` (CSV in UTF-8, BOM, GB18030; XLSX; .xls refused with
``UNSUPPORTED_FILE``). The first non-blank row is the header; blank rows are skipped; row
numbers are the spreadsheet's own, as a user sees them in Excel (第N行): under a header in row 1
the first data row is row 2.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Literal, TypeVar

from daifa.shipping.carriers import CARRIERS, find_carrier, normalise_tracking_no, shape_warnings
from daifa.shipping.errors import (
    InvalidTrackingNo,
    SheetEmpty,
    SheetHeaderInvalid,
    SheetTooLarge,
)
from daifa.shipping.sheet_files import Cell, FileType, csv_records, decode_text, sniff, xlsx_records

Field = Literal["dispatch_order_no", "carrier", "tracking_no", "sku_code", "quantity"]
FIELDS: tuple[Field, ...] = ("dispatch_order_no", "carrier", "tracking_no", "sku_code", "quantity")
REQUIRED: tuple[Field, ...] = ("dispatch_order_no", "carrier", "tracking_no")
HEADERS_ZH: dict[Field, str] = {
    "dispatch_order_no": "代发单号", "carrier": "快递公司", "tracking_no": "快递单号",
    "sku_code": "SKU编码", "quantity": "数量",
}
HEADER_ALIASES: dict[Field, tuple[str, ...]] = {
    "dispatch_order_no": ("dispatch_order_no", "代发单号", "订单号", "代发单编号"),
    "carrier": ("carrier", "carrier_code", "快递公司", "物流公司"),
    "tracking_no": ("tracking_no", "快递单号", "运单号", "物流单号"),
    "sku_code": ("sku_code", "SKU编码", "sku"),
    "quantity": ("quantity", "数量", "qty"),
}
MAX_ROWS = 200_000
MAX_QUANTITY = 1_000_000
MAX_CODE_LENGTH = 64

T = TypeVar("T")
_Check = Callable[[Cell], T]


@dataclass(frozen=True, slots=True)
class RowError:
    column: Field | None  # None: the row as a whole (duplicates)
    reason: str
    code: str


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


@dataclass(frozen=True)
class ParsedSheet:
    rows: list[ShipmentRow]
    headers: dict[Field, str]  # each column found, with the header text the file used
    file_type: FileType
    encoding: str | None  # for CSV

    @property
    def has_lines(self) -> bool:
        """Whether the file ships per SKU and quantity (partial shipments)."""
        return "sku_code" in self.headers


class _CellError(Exception):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def parse_shipments(data: bytes, filename: str | None = None, *,
                    max_rows: int = MAX_ROWS) -> ParsedSheet:
    """Parse and check a shipping file. Raises ``UNSUPPORTED_FILE``, ``SHEET_EMPTY``,
    ``SHEET_HEADER_INVALID`` or ``SHEET_TOO_LARGE`` for the file as a whole; problems with single
    rows are reported on the rows."""
    file_type = sniff(data, filename)
    if file_type == "xlsx":
        return _parse_records(xlsx_records(data), "xlsx", None, max_rows)
    text, encoding = decode_text(data)
    return _parse_records(csv_records(text), "csv", encoding, max_rows)


# ---------------------------------------------------------------------------------------------
# Header and rows


def _parse_records(records: Iterator[Sequence[Cell]], file_type: FileType,
                   encoding: str | None, max_rows: int) -> ParsedSheet:
    layout: _Layout | None = None
    headers: dict[Field, str] = {}
    rows: list[ShipmentRow] = []
    for number, values in enumerate(records, start=1):
        if _blank(values):
            continue
        if layout is None:
            layout, headers = _read_header(values)
            continue
        if len(rows) >= max_rows:
            raise SheetTooLarge(f"At most {max_rows} rows per file; split the file and upload "
                                "the parts one after another")
        rows.append(_parse_row(number, values, layout))
    if layout is None:
        raise SheetEmpty("The file has no header and no rows")
    if not rows:
        raise SheetEmpty("The file has a header but no rows to import")
    flag_duplicates(rows)
    return ParsedSheet(rows, headers, file_type, encoding)


def _blank(values: Sequence[Cell]) -> bool:
    try:
        return not "".join(values).strip()  # type: ignore[arg-type]  # CSV: all str, fast
    except TypeError:
        return not any(_filled(value) for value in values)


def _filled(value: Cell) -> bool:
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def _header_key(text: str) -> str:
    key = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()
    return re.sub(r"\(.*\)$", "", key).rstrip("*")


_HEADER_INDEX: dict[str, Field] = {
    _header_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


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
    def of(cls, columns: dict[Field, int]) -> _Layout:
        order_no, carrier, tracking_no, sku_code, quantity = (
            columns.get(name, -1) for name in FIELDS)
        width = max(order_no, carrier, tracking_no, sku_code, quantity) + 1
        return cls(order_no, carrier, tracking_no, sku_code, quantity, width)


def _read_header(values: Sequence[Cell]) -> tuple[_Layout, dict[Field, str]]:
    columns: dict[Field, int] = {}
    headers: dict[Field, str] = {}
    for index, value in enumerate(values):
        name = _HEADER_INDEX.get(_header_key(str(value))) if _filled(value) else None
        if name is None:
            continue  # other columns (recipient, remarks...) are ignored
        if name in columns:
            raise SheetHeaderInvalid(f"Column {name} appears twice in the header",
                                     column=name)
        columns[name], headers[name] = index, str(value).strip()
    missing = [name for name in REQUIRED if name not in columns]
    if missing or (("sku_code" in columns) != ("quantity" in columns)):
        raise SheetHeaderInvalid(_header_help(missing, columns), missing=missing)
    return _Layout.of(columns), headers


def _header_help(missing: list[Field], columns: dict[Field, int]) -> str:
    expected = ", ".join(f"{name} ({HEADERS_ZH[name]})" for name in FIELDS)
    if missing:
        problem = "missing " + ", ".join(f"{name} ({HEADERS_ZH[name]})" for name in missing)
    else:
        problem = "sku_code and quantity go together" if columns else ""
    return (f"The first row must name the columns: {problem}. Expected {expected}; the last two "
            "only for partial shipments")


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


def _checked(row: ShipmentRow, name: Field, check: _Check[T], value: Cell) -> T | None:
    try:
        return check(value)
    except _CellError as problem:
        row.errors.append(RowError(name, problem.reason, problem.code))
        return None


def _line_fields(row: ShipmentRow, sku: Cell, quantity: Cell) -> None:
    """Both empty: the row ships everything left. One without the other is an error."""
    has_sku, has_quantity = _filled(sku), _filled(quantity)
    if has_sku:
        row.sku_code = _checked(row, "sku_code", _sku_code, sku)
    elif has_quantity:
        row.errors.append(RowError("sku_code", "A SKU code is needed with a quantity",
                                   "MISSING_VALUE"))
    if has_quantity:
        row.quantity = _checked(row, "quantity", _quantity, quantity)
    elif has_sku:
        row.errors.append(RowError("quantity", "A quantity is needed with a SKU code",
                                   "MISSING_VALUE"))


# ---------------------------------------------------------------------------------------------
# Cells

_CARRIERS = {carrier.code: carrier for carrier in CARRIERS}
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?E\+?[0-9]+", re.IGNORECASE)
_DISPATCH_ORDER_NO = re.compile(r"[0-9A-Za-z_-]{1,64}")
_ID_AS_TEXT = ("Excel stored this ID as a number and may have rounded it: store the ID as text "
               "(format the column as 文本) and enter it again")


def _id_text(value: Cell) -> str:
    """An identifier cell as text, refusing numbers Excel may have rounded (it keeps 15 digits)."""
    if isinstance(value, str):
        text = value.strip()
        if ("E" in text or "e" in text) and _SCIENTIFIC.fullmatch(text):
            raise _CellError("ID_NOT_TEXT", _ID_AS_TEXT)
    elif isinstance(value, bool | date | time):
        raise _CellError("ID_NOT_TEXT", "Expected text, found a date, time or TRUE/FALSE")
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if not value.is_integer() or abs(value) >= 1e15:
            raise _CellError("ID_NOT_TEXT", _ID_AS_TEXT)
        text = str(int(value))
    else:
        text = "" if value is None else str(value).strip()
    if not text:
        raise _CellError("MISSING_VALUE", "This column must not be empty")
    return text


def _dispatch_order_no(value: Cell) -> str:
    number = unicodedata.normalize("NFKC", _id_text(value))
    if not _DISPATCH_ORDER_NO.fullmatch(number):
        raise _CellError("INVALID_DISPATCH_ORDER_NO",
                         "A dispatch order number is up to 64 letters, digits, '-' or '_'")
    return number


def _carrier_code(value: Cell) -> str:
    text = value.strip() if isinstance(value, str) else ("" if value is None else str(value))
    if not text:
        raise _CellError("MISSING_VALUE", "This column must not be empty")
    carrier = find_carrier(text)
    if carrier is None:
        accepted = ", ".join(f"{c.code} ({c.name})" for c in CARRIERS)
        raise _CellError("UNKNOWN_CARRIER", f"Unknown carrier {text[:40]!r}; use one of: "
                                            f"{accepted}")
    return carrier.code


def _tracking_no(value: Cell) -> str:
    text = _id_text(value)
    try:
        return normalise_tracking_no(text)
    except InvalidTrackingNo as exc:
        raise _CellError(exc.code, exc.detail) from exc


def _sku_code(value: Cell) -> str:
    code = _id_text(value)
    if len(code) > MAX_CODE_LENGTH:
        raise _CellError("INVALID_SKU_CODE", f"A SKU code is at most {MAX_CODE_LENGTH} characters")
    return code


def _quantity(value: Cell) -> int:
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        number = int(text) if text.isascii() and text.isdigit() else None
    if number is None or not 1 <= number <= MAX_QUANTITY:
        raise _CellError("INVALID_QUANTITY",
                         f"The quantity must be a whole number from 1 to {MAX_QUANTITY}")
    return number


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
            row.errors.append(RowError(None, f"Repeats row {first}", "DUPLICATE_ROW"))
            continue
        owner, owner_row = owners.setdefault((row.carrier_code, row.tracking_no),
                                             (row.dispatch_order_no, row.row))
        if owner != row.dispatch_order_no:
            row.errors.append(RowError(
                "tracking_no", f"Row {owner_row} already uses this tracking number for "
                               f"dispatch order {owner}", "TRACKING_NO_REUSED"))


# ---------------------------------------------------------------------------------------------
# Templates

TEMPLATE_ROWS = 5000  # rows pre-formatted as text and offered the carrier list
_TEXT_COLUMNS = ("A", "C", "D")  # dispatch order no., tracking no., SKU code: IDs, kept as text
_HELP_ZH = (
    "填写说明 / How to fill in",
    "1. 每行一个包裹：代发单号、快递公司、快递单号必填。",
    "   One parcel per row: dispatch order no., carrier and tracking no. are required.",
    "2. 快递公司可填代码或中文名：" + "、".join(f"{c.code} {c.name}" for c in CARRIERS),
    "   Carrier: a code or a Chinese name as listed.",
    "3. 部分发货时填写 SKU编码 和 数量；不填则发出该代发单剩余的全部商品。",
    "   For partial shipments fill in SKU code and quantity; leave both empty to ship all that is"
    " left.",
    "4. 单号请保持文本格式，不要让 Excel 转成科学计数法（如 1.23E+18）。",
    "   Keep numbers as text so Excel does not turn them into 1.23E+18.",
    "5. 同一文件重复上传不会重复发货。Uploading the same file again ships nothing twice.",
)


def template_headers(language: Literal["zh", "en"] = "zh") -> list[str]:
    return [HEADERS_ZH[name] if language == "zh" else name for name in FIELDS]


def template_csv(language: Literal["zh", "en"] = "zh") -> bytes:
    """The header row as CSV in UTF-8 with a BOM, so Chinese Excel opens it correctly."""
    return ("\ufeff" + ",".join(template_headers(language)) + "\r\n").encode("utf-8")


def template_xlsx(language: Literal["zh", "en"] = "zh") -> bytes:
    """An .xlsx with the header row, ID columns formatted as text, a carrier drop-down, and a
    second sheet of instructions."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "发货" if language == "zh" else "shipments"
    sheet.append(template_headers(language))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (24, 14, 24, 20, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    for letter in _TEXT_COLUMNS:
        sheet.column_dimensions[letter].number_format = "@"
        for (cell,) in sheet[f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"]:
            cell.number_format = "@"
    choices = DataValidation(type="list", allow_blank=True, showErrorMessage=False,
                             formula1='"' + ",".join(c.name for c in CARRIERS) + '"')
    choices.add(f"B2:B{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(choices)
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明" if language == "zh" else "help")
    for line in _HELP_ZH:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
