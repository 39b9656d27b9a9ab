"""Orders from a CSV, XLSX or XLS file (console upload, API, CLI): one row per order line.

Rows with the same order number (external_id) make one order; the buyer, address and payment
time come from the order's first row, so later rows may leave them blank. Each row is checked on
its own; an order with a bad row is not imported at all (a partial order would lose lines), and
every row of it says why. Good orders go through the same ingest path as the API (routed as
they arrive); an order number seen before creates nothing, so uploading the same file again
changes nothing. A dry run does all of it in a savepoint and rolls it back, and reports how the
orders would be routed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, ValidationError

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.db.uow import savepoint
from daifa.fulfilment import ingest
from daifa.orders.file_rows import LAYOUT, MESSAGES, Row, check_row, parse_paid_at
from daifa.orders.schemas import MAX_LINES, OrderIn
from daifa.sheets.importer import Importer, RowErrorOut
from daifa.sheets.table import Sheet
from daifa.sheets.write import Template
from daifa.shops.models import Shop

CHUNK = 100  # orders per ingest call and checkpoint (see ingest.CHUNK_LINES)
Progress = Callable[[int], None]
RowStatus = Literal["created", "exists", "error"]


class FileRow(BaseModel):
    row: int = Field(description="The row number in the file; the header is row 1")
    external_id: str
    sku_code: str
    status: RowStatus
    errors: list[RowErrorOut] = Field(default_factory=list)


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

    def rejected(self) -> list[tuple[int, str, list[RowErrorOut]]]:
        return [(row.row, row.external_id, row.errors) for row in self.rows if row.errors]

    def summary_line(self) -> str:
        s = self.summary
        return (f"{s.orders_created} orders created, {s.orders_existing} already there, "
                f"{s.orders_error} rejected ({s.rows} rows)")

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


@dataclass
class Group:
    """The rows of one order, in file order."""

    external_id: str
    rows: list[Row]

    @property
    def bad(self) -> bool:
        return any(row.errors for row in self.rows)


def group_rows(sheet: Sheet) -> tuple[list[Group], list[Row]]:
    """The orders of the file and the rows without an order number."""
    groups: dict[str, Group] = {}
    loose: list[Row] = []
    for number, values in sheet.rows:
        row = Row.read(number, values, sheet.index)
        group = groups.get(row.external_id) if row.external_id else None
        check_row(row, first=group is None)
        if not row.external_id:
            loose.append(row)
        elif group is None:
            groups[row.external_id] = Group(row.external_id, [row])
        else:
            group.rows.append(row)
    for group in groups.values():
        if len(group.rows) > MAX_LINES:
            group.rows[MAX_LINES].fail("external_id", "TOO_MANY_LINES", n=MAX_LINES)
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
            group.rows[0].fail(".".join(str(p) for p in err["loc"]) or None, "INVALID_VALUE",
                               detail=err["msg"])
        return None


def _blame(group: Group) -> None:
    """Every good row of a bad order says which rows kept the order out."""
    bad = [str(row.number) for row in group.rows if row.errors]
    for row in group.rows:
        if not row.errors:
            row.fail("external_id", "ORDER_HAS_BAD_ROWS", rows=", ".join(bad))


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


@dataclass
class Checked:
    """The file's orders and stray rows, checked; what apply() lands."""

    groups: list[Group]
    loose: list[Row]

    def __len__(self) -> int:
        return sum(len(group.rows) for group in self.groups) + len(self.loose)


def check(sheet: Sheet) -> Checked:
    """Rows grouped by order, each checked on its own."""
    return Checked(*group_rows(sheet))


def apply(ctx: Ctx, shop: Shop, checked: Checked, dry_run: bool = False,
          progress: Progress | None = None) -> FileResult:
    """Create the good orders (unless dry_run), report each row; payment times without an
    offset are in the display zone."""
    zone = ZoneInfo(ctx.settings.display_timezone)
    groups, loose = checked.groups, checked.loose
    ready: list[tuple[Group, OrderIn]] = []
    for group in groups:
        order = None if group.bad else to_order(group, zone)
        if order is not None and ingest.paid_at_error(ctx, order) is not None:
            group.rows[0].fail("paid_at", "PAID_AT_OUT_OF_RANGE",
                               days=ctx.settings.paid_at_max_age_days)
            order = None
        if order is None:
            _blame(group)
        else:
            ready.append((group, order))
    created: set[str] = set()
    tally = Tally()
    # A real import commits chunk by chunk (a file imported again creates nothing twice, so
    # one cut short is finished by importing it again). A dry run tries each chunk in a
    # savepoint it rolls back, so it too lets other writers in between chunks; a chunk does
    # not see the stock an earlier one would have taken.
    for chunk in _chunks(ready):
        with savepoint(ctx.session, keep=False) if dry_run else nullcontext():
            outcomes = ingest.ingest(ctx, shop, [order for _, order in chunk], channel="file")
        for outcome in outcomes:
            if outcome.created and outcome.external_id is not None:
                created.add(outcome.external_id)
                tally.add(outcome)
        ctx.checkpoint()
        if progress is not None:
            progress(sum(len(group.rows) for group, _ in chunk))
    result = _result(groups, loose, created, tally, dry_run)
    if not dry_run and result.summary.orders_created:
        audit.record(ctx, "shop", shop.shop_id, "orders.imported",
                     data=result.summary.model_dump())
    return result


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
                            errors=_out(row)) for row in group.rows)
    rows.extend(FileRow(row=row.number, external_id="", sku_code=row.cells.get("sku_code", ""),
                        status="error", errors=_out(row)) for row in loose)
    rows.sort(key=lambda r: r.row)
    summary.rows = len(rows)
    return FileResult(
        dry_run=dry_run, summary=summary, rows=rows,
        routed=[SupplierShare(supplier_id=supplier_id, lines=t[0], quantity=t[1])
                for supplier_id, t in sorted(tally.suppliers.items(), key=lambda kv: -kv[1][1])],
        waiting=[WaitingShare(reason=reason, lines=t[0], quantity=t[1])
                 for reason, t in sorted(tally.waiting.items())])


def _out(row: Row) -> list[RowErrorOut]:
    return [RowErrorOut.of(error) for error in row.errors]


ORDERS: Importer[Checked, FileResult] = Importer(
    name="orders",
    layout=LAYOUT,
    template=Template(
        columns=("external_id", "buyer_name", "buyer_phone", "province", "city", "district",
                 "address_detail", "sku_code", "quantity", "unit_price", "paid_at"),
        titles={"zh": "订单", "en": "orders"},
        examples=(
            ("3721456789012345678", "张三", "13912345678", "浙江省", "杭州市", "西湖区",
             "文三路 90 号 1 幢 101 室", "TEE-001-RED-M", "2", "59.00", "2026-03-01 14:30:00"),
            ("3721456789012345678", "", "", "", "", "", "", "MUG-001", "1", "29.90", ""),
        ),
    ),
    check=check,
    apply=apply,
    messages=MESSAGES,
    revive=FileResult.model_validate,
)
