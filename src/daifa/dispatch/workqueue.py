"""The supplier's side of the lifecycle beyond single moves: the work queue (what waits for it),
accepting many dispatch orders at once, and the auto-accept setting."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import lifecycle
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import HOLDABLE_STATUSES, OPEN_STATUSES, DispatchStatus
from daifa.errors import DaifaError
from daifa.kit.states import values
from daifa.suppliers.models import Supplier

MAX_BULK = 500


@dataclass(frozen=True)
class Counts:
    to_accept: int = 0  # assigned: accept or reject
    to_ship: int = 0  # accepted or partially shipped, not on hold
    late: int = 0  # flagged late and still open
    on_hold: int = 0
    cancel_requested: int = 0  # the shop asks to cancel: answer


def counts(ctx: Ctx, supplier: Supplier) -> Counts:
    """One GROUP BY over the supplier's open dispatch orders."""
    rows = ctx.session.execute(
        select(DispatchOrder.status, DispatchOrder.hold_reason.is_not(None),
               DispatchOrder.late, func.count())
        .where(DispatchOrder.supplier_pk == supplier.id,
               DispatchOrder.status.in_(values(OPEN_STATUSES)))
        .group_by(DispatchOrder.status, DispatchOrder.hold_reason.is_not(None),
                  DispatchOrder.late))
    tally = {"to_accept": 0, "to_ship": 0, "late": 0, "on_hold": 0, "cancel_requested": 0}
    for status, held, late, number in rows:
        if status == DispatchStatus.ASSIGNED:
            tally["to_accept"] += number
        elif status == DispatchStatus.CANCEL_REQUESTED:
            tally["cancel_requested"] += number
        elif not held:
            tally["to_ship"] += number
        if held and status in HOLDABLE_STATUSES:
            tally["on_hold"] += number
        if late:
            tally["late"] += number
    return Counts(**tally)


@dataclass(frozen=True)
class BulkResult:
    dispatch_order_no: str
    status: str | None = None
    error_code: str | None = None
    error_detail: str | None = None


def accept_many(ctx: Ctx, numbers: Sequence[str]) -> list[BulkResult]:
    """Accept each (a savepoint each): one refused does not stop the others."""
    results = []
    for no in dict.fromkeys(numbers):
        try:
            with ctx.session.begin_nested():
                target = lifecycle.accept(ctx, no)
            results.append(BulkResult(target.no, status=target.order.status))
        except DaifaError as exc:
            results.append(BulkResult(no, error_code=exc.code, error_detail=exc.detail))
    return results


def set_auto_accept(ctx: Ctx, supplier: Supplier, on: bool) -> Supplier:
    """New dispatch orders are accepted at creation while on; those waiting stay as they are."""
    if supplier.auto_accept != on:
        ctx.session.execute(update(Supplier).where(Supplier.id == supplier.id)
                            .values(auto_accept=on)
                            .execution_options(synchronize_session=False))
        ctx.session.refresh(supplier)
        audit.record(ctx, "supplier", supplier.supplier_id, "supplier.settings_changed",
                     data={"auto_accept": on})
    return supplier
