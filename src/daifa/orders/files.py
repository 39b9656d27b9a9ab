"""Orders from a CSV/XLSX file (console upload, CLI): one row per order line.

Rows with the same order number (external_id) make one order; the buyer, address and payment
time come from the order's first row, so later rows may leave them blank. Each row is checked on
its own; an order with a bad row is not imported at all (a partial order would lose lines), and
every row of it says why. Good orders go through the same ingest path as the API (routed as
they arrive); an order number seen before creates nothing, so uploading the same file again
changes nothing. A dry run does all of it in a savepoint and rolls it back, and reports how the
orders would be routed.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationError

from daifa.audit import service as audit
from daifa.catalog.rules import yuan_to_fen
from daifa.catalog.sheets import Table, read_table
from daifa.context import Ctx
from daifa.fulfilment import ingest
from daifa.orders import rules
from daifa.orders.schemas import MAX_LINES, MAX_QUANTITY, OrderIn
from daifa.shops.models import Shop

COLUMNS: dict[str, tuple[str, ...]] = {
    "external_id": ("订单号", "订单编号", "order_no", "order_id"),
    "buyer_name": ("收件人", "收货人", "收货人姓名", "name"),
    "buyer_phone": ("手机号", "收货人手机", "联系电话", "电话", "phone"),
    "province": ("省", "省份"),
    "city": ("市", "城市"),
    "district": ("区", "区县"),
    "address_detail": ("详细地址", "地址", "address", "detail"),
    "sku_code": ("SKU编码", "规格编码", "sku"),
    "quantity": ("数量", "购买数量", "qty"),
    "unit_price_fen": ("单价(分)", "单价分"),
    "unit_price": ("单价", "单价(元)", "商品单价"),
    "paid_at": ("付款时间", "支付时间"),
}
ORDER_FIELDS = ("buyer_name", "buyer_phone", "province", "city", "district", "address_detail")
REQUIRED = (("external_id",), ("buyer_name",), ("buyer_phone",), ("province",), ("city",),
            ("district",), ("address_detail",), ("sku_code",), ("quantity",),
            ("unit_price_fen", "unit_price"))
LIMITS = {"external_id": 64, "sku_code": 64, "buyer_name": 80, "province": 40, "city": 40,
          "district": 40, "address_detail": 255}
CHUNK = 1000  # orders per ingest call, like orders:batch
Progress = Callable[[int], None]
RowStatus = Literal["created", "exists", "error"]


class RowError(BaseModel):
    column: str
    reason: str


class FileRow(BaseModel):
    row: int = Field(description="The row number in the file; the header is row 1")
    external_id: str
    sku_code: str
    status: RowStatus
    errors: list[RowError] = Field(default_factory=list)


class SupplierShare(BaseModel):
    supplier_id: str
    lines: int
    quantity: int


class WaitingShare(BaseModel):
    reason: str
    lines: int
    quantity: int


class FileSummary(BaseModel):
    orders_created: int = 0
    orders_existing: int = 0
    orders_error: int = 0
    rows: int = 0


class FileResult(BaseModel):
    dry_run: bool
    summary: FileSummary
    rows: list[FileRow]
    routed: list[SupplierShare] = Field(
        default_factory=list, description="The new orders' lines per supplier")
    waiting: list[WaitingShare] = Field(
        default_factory=list, description="The new orders' lines left for manual assignment")


@dataclass
class Row:
    number: int
    cells: dict[str, str]
    errors: list[RowError] = field(default_factory=list)
    quantity: int = 0
    price_fen: int = 0

    @property
    def external_id(self) -> str:
        return self.cells.get("external_id", "")

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(column=column, reason=reason))


def read(content: bytes) -> Table:
    return read_table(content, COLUMNS, REQUIRED)


def _check_text(row: Row, name: str, *, required: bool) -> None:
    value = row.cells.get(name, "")
    if not value:
        if required:
            row.fail(name, "required")
    elif len(value) > LIMITS.get(name, 255):
        row.fail(name, f"at most {LIMITS[name]} characters")


def _check_quantity(row: Row) -> None:
    text = row.cells.get("quantity", "")
    text = text[:-2] if text.endswith(".0") else text
    if not text.isdigit() or not 1 <= int(text) <= MAX_QUANTITY:
        row.fail("quantity", f"a whole number from 1 to {MAX_QUANTITY}")
        return
    row.quantity = int(text)


def _check_price(row: Row) -> None:
    fen_text = row.cells.get("unit_price_fen", "")
    if fen_text:
        text = fen_text[:-2] if fen_text.endswith(".0") else fen_text
        if not text.isdigit():
            row.fail("unit_price_fen", "a whole number of fen, 0 or more")
            return
        row.price_fen = int(text)
        return
    yuan = row.cells.get("unit_price", "")
    if not yuan:
        row.fail("unit_price", "required (unit_price in yuan or unit_price_fen in fen)")
        return
    try:
        row.price_fen = yuan_to_fen(yuan)
    except ValueError:
        row.fail("unit_price", "an amount in yuan, like 12.50")
        return
    if row.price_fen < 0:
        row.fail("unit_price", "must not be negative")


def _check_phone(row: Row) -> None:
    phone = row.cells.get("buyer_phone", "")
    if phone:
        try:
            rules.normalise_phone(phone)
        except ValueError:
            row.fail("buyer_phone", "not a valid phone number")


def parse_paid_at(raw: str, zone: ZoneInfo) -> datetime | None:
    """`YYYY-MM-DD HH:MM[:SS]` (or ISO) in the display zone unless it names its own offset."""
    text = raw.strip().replace("/", "-")
    if not text:
        return None
    value = datetime.fromisoformat(text)  # ValueError when it is not a time
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def check_row(row: Row, *, first: bool, zone: ZoneInfo) -> None:
    """A line row's own fields; the order fields only on the order's first row."""
    _check_text(row, "external_id", required=True)
    _check_text(row, "sku_code", required=True)
    _check_quantity(row)
    _check_price(row)
    if not first:
        return
    for name in ORDER_FIELDS:
        _check_text(row, name, required=True)
    _check_phone(row)
    try:
        parse_paid_at(row.cells.get("paid_at", ""), zone)
    except ValueError:
        row.fail("paid_at", "a time like 2026-03-01 14:30:00")


@dataclass
class Group:
    """The rows of one order, in file order."""

    external_id: str
    rows: list[Row]

    @property
    def bad(self) -> bool:
        return any(row.errors for row in self.rows)


def group_rows(table: Table, zone: ZoneInfo) -> tuple[list[Group], list[Row]]:
    """The orders of the file and the rows without an order number."""
    groups: dict[str, Group] = {}
    loose: list[Row] = []
    for number, cells in table.rows:
        row = Row(number, cells)
        group = groups.get(row.external_id) if row.external_id else None
        check_row(row, first=group is None, zone=zone)
        if not row.external_id:
            loose.append(row)
        elif group is None:
            groups[row.external_id] = Group(row.external_id, [row])
        else:
            group.rows.append(row)
    for group in groups.values():
        if len(group.rows) > MAX_LINES:
            group.rows[MAX_LINES].fail("external_id", f"at most {MAX_LINES} lines per order")
    return list(groups.values()), loose


def to_order(group: Group, zone: ZoneInfo) -> OrderIn | None:
    """The order as the API takes it; None (with the error on the first row) if it is not."""
    head = group.rows[0].cells
    body = {
        "external_id": group.external_id,
        "buyer": {"name": head.get("buyer_name", ""), "phone": head.get("buyer_phone", ""),
                  "address": {"province": head.get("province", ""), "city": head.get("city", ""),
                              "district": head.get("district", ""),
                              "detail": head.get("address_detail", "")}},
        "lines": [{"sku_code": row.cells.get("sku_code", ""), "quantity": row.quantity,
                   "unit_price_fen": row.price_fen} for row in group.rows],
        "paid_at": parse_paid_at(head.get("paid_at", ""), zone),
    }
    try:
        return OrderIn.model_validate(body)
    except ValidationError as exc:
        for err in exc.errors():
            group.rows[0].fail(".".join(str(p) for p in err["loc"]) or "order", err["msg"])
        return None


def _blame(group: Group) -> None:
    """Every good row of a bad order says which rows kept the order out."""
    bad = [str(row.number) for row in group.rows if row.errors]
    for row in group.rows:
        if not row.errors:
            row.fail("external_id", f"order not imported: row {', '.join(bad)} of this order "
                                    "has errors")


@dataclass
class Tally:
    suppliers: dict[str, list[int]] = field(default_factory=dict)
    waiting: dict[str, list[int]] = field(default_factory=dict)

    def add(self, outcome: ingest.Outcome) -> None:
        echo = outcome.echo
        if echo is None:
            return
        for item in echo.dispatches:
            totals = self.suppliers.setdefault(str(item.row.get("supplier_id", "")), [0, 0])
            totals[0] += len(item.lines)
            totals[1] += sum(line.quantity for line in item.lines)
        for line in echo.lines:
            if line["unassigned_reason"]:
                totals = self.waiting.setdefault(line["unassigned_reason"], [0, 0])
                totals[0] += 1
                totals[1] += line["quantity"]


def _chunks(items: Sequence[tuple[Group, OrderIn]]) -> Iterable[Sequence[tuple[Group, OrderIn]]]:
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def import_table(ctx: Ctx, shop: Shop, table: Table, *, dry_run: bool = False,
                 progress: Progress | None = None) -> FileResult:
    """Check every row, create the good orders (unless dry_run), report each row."""
    zone = ZoneInfo(ctx.settings.display_timezone)
    groups, loose = group_rows(table, zone)
    ready: list[tuple[Group, OrderIn]] = []
    for group in groups:
        order = None if group.bad else to_order(group, zone)
        if order is None:
            _blame(group)
        else:
            ready.append((group, order))
    created: set[str] = set()
    tally = Tally()
    savepoint = ctx.session.begin_nested()
    try:
        for chunk in _chunks(ready):
            for outcome in ingest.ingest(ctx, shop, [order for _, order in chunk],
                                         channel="file"):
                if outcome.created and outcome.external_id is not None:
                    created.add(outcome.external_id)
                    tally.add(outcome)
            if progress is not None:
                progress(sum(len(group.rows) for group, _ in chunk))
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    result = _result(groups, loose, created, tally, dry_run)
    if not dry_run and result.summary.orders_created:
        audit.record(ctx, "shop", shop.shop_id, "orders.imported",
                     data=result.summary.model_dump())
    return result


def import_file(ctx: Ctx, shop: Shop, content: bytes, *, dry_run: bool = False,
                progress: Progress | None = None) -> FileResult:
    return import_table(ctx, shop, read(content), dry_run=dry_run, progress=progress)


def _result(groups: list[Group], loose: list[Row], created: set[str], tally: Tally,
            dry_run: bool) -> FileResult:
    summary = FileSummary()
    rows: list[FileRow] = []
    for group in groups:
        status: RowStatus = ("error" if group.bad else
                             "created" if group.external_id in created else "exists")
        setattr(summary, f"orders_{'existing' if status == 'exists' else status}",
                getattr(summary, f"orders_{'existing' if status == 'exists' else status}") + 1)
        rows.extend(FileRow(row=row.number, external_id=group.external_id,
                            sku_code=row.cells.get("sku_code", ""), status=status,
                            errors=row.errors) for row in group.rows)
    rows.extend(FileRow(row=row.number, external_id="", sku_code=row.cells.get("sku_code", ""),
                        status="error", errors=row.errors) for row in loose)
    rows.sort(key=lambda r: r.row)
    summary.rows = len(rows)
    return FileResult(
        dry_run=dry_run, summary=summary, rows=rows,
        routed=[SupplierShare(supplier_id=supplier_id, lines=t[0], quantity=t[1])
                for supplier_id, t in sorted(tally.suppliers.items(), key=lambda kv: -kv[1][1])],
        waiting=[WaitingShare(reason=reason, lines=t[0], quantity=t[1])
                 for reason, t in sorted(tally.waiting.items())])


TEMPLATE_HEADERS = {
    "zh": ["订单号", "收件人", "手机号", "省", "市", "区", "详细地址", "SKU编码", "数量", "单价",
           "付款时间"],
    "en": ["external_id", "buyer_name", "buyer_phone", "province", "city", "district",
           "address_detail", "sku_code", "quantity", "unit_price", "paid_at"],
}
TEMPLATE_EXAMPLES = [
    ["3721456789012345678", "张三", "13912345678", "浙江省", "杭州市", "西湖区",
     "文三路 90 号 1 幢 101 室", "TEE-001-RED-M", "2", "59.00", "2026-03-01 14:30:00"],
    ["3721456789012345678", "", "", "", "", "", "", "MUG-001", "1", "29.90", ""],
]


def template_csv(lang: str = "zh") -> bytes:
    """A CSV to fill in, UTF-8 with BOM so Excel in China opens it correctly."""
    lines = [",".join(TEMPLATE_HEADERS[lang])] + [",".join(row) for row in TEMPLATE_EXAMPLES]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def template_xlsx(lang: str = "zh") -> bytes:
    """The same as a workbook; order numbers and phones are text cells (Excel keeps digits)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "orders"
    sheet.append(TEMPLATE_HEADERS[lang])
    for example in TEMPLATE_EXAMPLES:
        sheet.append(example)
    for column in ("A", "C", "H"):
        for cell in sheet[column]:
            cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
