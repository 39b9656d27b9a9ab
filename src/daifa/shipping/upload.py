"""Shipping by spreadsheet: parse (shipping.sheets), check every row against the database in
bulk, ship the good rows, report the bad ones.

A row is one parcel of one dispatch order: `dispatch_order_no, carrier, tracking_no`, and for a
partial shipment `sku_code, quantity` (the supplier's SKU code, or the shop's). Without them the
parcel carries everything left. Rows of one dispatch order sharing a tracking number are one
parcel with several lines.

Checked per row, in file order, against what earlier rows of the file already took: the
dispatch order exists and is this supplier's (another supplier's number reads exactly like a
missing one), it may ship (accepted or partially shipped, not on hold), the SKU is on it, the
quantity is left, the tracking number is not another dispatch order's. A row whose parcel (and
line) an earlier upload already recorded is `already_shipped`, so uploading the same file again
ships nothing twice.

The work is a fixed number of statements per 1,000 rows: lookups with IN lists, then
executemany INSERTs and UPDATEs (conditional: `shipped + q <= quantity`, `WHERE status = ...`).
On PostgreSQL the dispatch orders are locked in id order first, so a concurrent ship, cancel or
hold waits, and what was checked is what gets written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from daifa.context import Ctx
from daifa.errors import Conflict
from daifa.sheets.importer import Importer, collector_paused
from daifa.sheets.messages import RowError, row_error
from daifa.shipping import upload_db as db
from daifa.shipping.sheet_layout import LAYOUT, MESSAGES, STATUSES, TEMPLATE
from daifa.shipping.sheets import ShipmentRow, check
from daifa.shipping.upload_state import Line, Order, Parcel
from daifa.suppliers.models import Supplier

Progress = Callable[[int], None]
SHIPPABLE = ("accepted", "partially_shipped")
STEP = 1000  # rows between progress calls


@dataclass(slots=True)
class RowResult:
    row: int
    dispatch_order_no: str | None
    status: str
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    dry_run: bool
    rows: list[RowResult]
    dispatch_orders: int = 0

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    def rejected(self) -> list[tuple[int, str, list[RowError]]]:
        return [(row.row, row.dispatch_order_no or "-", row.errors) for row in self.rows
                if row.errors]

    def summary_line(self) -> str:
        done = self.count("ready") if self.dry_run else self.count("shipped")
        verb = "would ship" if self.dry_run else "shipped"
        return (f"{done} row(s) {verb} ({self.dispatch_orders} dispatch orders), "
                f"{self.count('already_shipped')} already shipped, {self.count('error')} "
                "rejected")

    def document(self) -> dict[str, Any]:
        """The document the upload endpoint answers with."""
        return {"dry_run": self.dry_run,
                "summary": {"rows": len(self.rows), "shipped": self.count("shipped"),
                            "ready": self.count("ready"),
                            "already_shipped": self.count("already_shipped"),
                            "error": self.count("error"), "dispatch_orders": self.dispatch_orders},
                "rows": [as_dict(row) for row in self.rows]}


_NO_ERRORS: list[RowError] = []  # shared by every good row; never changed


class _Refused(Exception):
    def __init__(self, column: str | None, code: str, **params: object) -> None:
        super().__init__(code)
        self.column, self.code, self.params = column, code, params

    def error(self, row: int) -> RowError:
        return row_error(row, self.column, self.code, MESSAGES, **self.params)


def ship_rows(ctx: Ctx, supplier: Supplier, rows: Sequence[ShipmentRow], *,
              dry_run: bool = False, progress: Progress | None = None) -> Outcome:
    """Check parsed rows against the database and ship the good ones (`progress(n)` is
    called as rows are checked)."""
    with collector_paused():
        return _ship_rows(ctx, supplier, rows, dry_run, progress)


def _ship_rows(ctx: Ctx, supplier: Supplier, rows: Sequence[ShipmentRow], dry_run: bool,
               progress: Progress | None) -> Outcome:
    nos = [(row.dispatch_order_no or "").upper() for row in rows]
    good = [row for row in rows if not row.errors]
    orders = db.load_orders(ctx, supplier.id, set(nos))
    parcels = db.load_parcels(ctx, {(row.carrier_code or "", row.tracking_no or "")
                                    for row in good}, orders)
    plan = _Plan(orders, parcels, dry_run)
    results = []
    decide = plan.decide
    for index, (row, no) in enumerate(zip(rows, nos, strict=True), start=1):
        results.append(decide(row, no))
        if progress is not None and index % STEP == 0:
            progress(STEP)
    if progress is not None:
        progress(len(rows) % STEP)
    touched = plan.touched()
    if not dry_run and touched:
        moved = db.apply(ctx, supplier, touched)
        if moved != len(touched):  # pragma: no cover - the locks make this unreachable
            raise Conflict(code="CHANGED_MEANWHILE")
    return Outcome(dry_run, results, len(touched))


class _Plan:
    """Decides each row against the database's state plus what earlier rows took."""

    def __init__(self, orders: dict[str, Order], parcels: dict[tuple[str, str], Parcel],
                 dry_run: bool) -> None:
        self.orders = orders
        self.parcels = parcels
        self.ok_status = "ready" if dry_run else "shipped"

    def decide(self, row: ShipmentRow, no: str) -> RowResult:
        """The row's outcome (`no`: its dispatch order number, upper-cased)."""
        if row.errors:
            return RowResult(row.row, no or None, "error", row.errors, row.warnings)
        order = self.orders.get(no)
        try:
            if order is None:
                raise _Refused("dispatch_order_no", "DISPATCH_ORDER_NOT_FOUND")
            status = self._ship(row, order)
        except _Refused as refused:
            return RowResult(row.row, no, "error", [refused.error(row.row)], row.warnings)
        return RowResult(row.row, no, status, _NO_ERRORS, row.warnings)

    def _ship(self, row: ShipmentRow, order: Order) -> str:
        key = (row.carrier_code or "", row.tracking_no or "")
        parcel = self.parcels.get(key)
        if parcel is not None and parcel.order_pk != order.pk:
            raise _Refused("tracking_no", "TRACKING_NO_IN_USE")
        lines = self._lines(row, order)
        if parcel is not None and parcel.pk is not None and _recorded(parcel, lines, row):
            return "already_shipped"
        _check_state(order)
        wanted = _take(row, order, lines)
        if parcel is None:
            parcel = self.parcels[key] = Parcel(key[0], key[1], order.pk)
            order.parcels.append(parcel)
        elif parcel not in order.parcels:
            order.parcels.append(parcel)
        new_lines = parcel.new_lines
        for line, quantity in wanted:
            line.shipped += quantity
            new_lines[line.pk] = new_lines.get(line.pk, 0) + quantity
        return self.ok_status

    def _lines(self, row: ShipmentRow, order: Order) -> list[Line]:
        if row.sku_code is None:
            return order.lines
        lines = order.matching(row.sku_code)
        if not lines:
            raise _Refused("sku_code", "LINE_NOT_FOUND", no=order.no, sku=row.sku_code)
        return lines

    def touched(self) -> list[Order]:
        return [order for order in self.orders.values() if order.parcels]


def _recorded(parcel: Parcel, lines: Iterable[Line], row: ShipmentRow) -> bool:
    """An earlier upload (or call) recorded this parcel, and this row's line on it."""
    if row.sku_code is None:
        return True
    return any(line.pk in parcel.stored_lines for line in lines)


def _check_state(order: Order) -> None:
    if order.status not in SHIPPABLE:
        raise _Refused("dispatch_order_no", "INVALID_TRANSITION", no=order.no,
                       status=order.status)
    if order.hold_reason is not None:
        raise _Refused("dispatch_order_no", "DISPATCH_ORDER_ON_HOLD", no=order.no,
                       reason=order.hold_reason)


def _take(row: ShipmentRow, order: Order, lines: list[Line]) -> list[tuple[Line, int]]:
    """Units per line for this row: its quantity over the matching lines, else all left."""
    if row.quantity is None:
        wanted = [(line, line.left) for line in lines if line.left > 0]
        if not wanted:
            raise _Refused("dispatch_order_no", "NOTHING_LEFT_TO_SHIP", no=order.no)
        return wanted
    if len(lines) == 1:  # the usual case: one line per SKU
        line = lines[0]
        if row.quantity > line.left:
            raise _Refused("quantity", "QUANTITY_EXCEEDS_REMAINING", n=line.left,
                           sku=row.sku_code)
        return [(line, row.quantity)]
    left = sum(line.left for line in lines)
    if row.quantity > left:
        raise _Refused("quantity", "QUANTITY_EXCEEDS_REMAINING", n=left, sku=row.sku_code)
    wanted, need = [], row.quantity
    for line in lines:
        take = min(need, line.left)
        if take > 0:
            wanted.append((line, take))
            need -= take
    return wanted


def as_dict(result: RowResult) -> dict[str, Any]:
    """A row result in the API's shape (optional keys left out when empty)."""
    out: dict[str, Any] = {"row": result.row, "dispatch_order_no": result.dispatch_order_no,
                           "status": result.status}
    if result.errors:
        out["errors"] = [error.as_dict() for error in result.errors]
    if result.warnings:
        out["warnings"] = result.warnings
    return out


def _apply(ctx: Ctx, supplier: Supplier, rows: list[ShipmentRow], dry_run: bool = False,
           progress: Progress | None = None) -> Outcome:
    return ship_rows(ctx, supplier, rows, dry_run=dry_run, progress=progress)


def revive(document: dict[str, Any]) -> Outcome:
    """An outcome again from its document (what a background import keeps)."""
    rows = [RowResult(row["row"], row["dispatch_order_no"], row["status"],
                      [row_error(row["row"], error["column"], error["code"], MESSAGES,
                                 **error.get("params", {})) for error in row.get("errors", [])],
                      list(row.get("warnings", [])))
            for row in document["rows"]]
    return Outcome(document["dry_run"], rows, document["summary"]["dispatch_orders"])


SHIPMENTS: Importer[list[ShipmentRow], Outcome] = Importer(
    name="shipments", layout=LAYOUT, template=TEMPLATE, check=check, apply=_apply,
    messages=MESSAGES, statuses=STATUSES, revive=revive)
