"""The dispatch-order lifecycle (states.py has the table and the decisions behind it).

Every move goes through `audit.fire` (table check, conditional UPDATE, timeline event), then
`DispatchOrderMoved` for the reactions (fulfilment.reactions): the webhook event
`dispatch_order.<what happened>`, rerouting a rejected order's lines, giving a cancelled order's
units back, the shop order's status. Of two people acting at once exactly one wins; the other
gets 409 with the current status. The actions return nothing: the caller shows the dispatch order
as it now stands (shipping.views).

- the supplier: accept, reject (→ the next backup in the same request, else back to the shop),
  answer a cancel request (accept_cancel / refuse_cancel);
- the shop: cancel (at once while `assigned`, a request once `accepted`, 409 once shipped),
  also as part of cancelling units of the shop order (`cancel_units`);
- either: place or release a hold (holds.py); the system: expire, withdraw (the supplier was
  suspended), deliver, complete.

A suspended supplier cannot accept (409 SUPPLIER_SUSPENDED); what it accepted before stays its
to ship.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Table, bindparam, update

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import access
from daifa.dispatch.access import Target
from daifa.dispatch.errors import ShopOnly
from daifa.dispatch.events import DispatchOrderMoved
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.dispatch.states import (
    DISPATCH_TRANSITIONS,
    ENDING_ACTIONS,
    DispatchStatus,
    RejectReason,
)
from daifa.errors import InvalidTransition
from daifa.kit.states import Transition
from daifa.suppliers import service as suppliers

# Timestamp column each move sets.
_STAMPS = {
    "accept": "accepted_at", "ship_fully": "shipped_at", "deliver": "delivered_at",
    "complete": "completed_at", "request_cancel": "cancel_requested_at",
    **dict.fromkeys(ENDING_ACTIONS, "closed_at"),
}


def move(ctx: Ctx, target: Target, action: str, *, reason: str | None = None,
         data: dict[str, Any] | None = None, extra: dict[str, Any] | None = None,
         **values: Any) -> Transition[DispatchStatus]:
    """Fire `action` on the dispatch order, then let whatever reacts to it react."""
    order = target.order
    stamp = _STAMPS.get(action)
    if stamp:
        values.setdefault(stamp, ctx.now())
    if action in ENDING_ACTIONS:  # the hold goes with the units
        values.update(hold_reason=None, held_by=None, held_at=None)
    done = audit.fire(ctx, DISPATCH_TRANSITIONS, order, action,
                      subject=("dispatch_order", order.dispatch_order_no), reason=reason,
                      data=data, **values)
    ctx.publish(DispatchOrderMoved(target, action, done.source.value, reason,
                                   extra=dict(extra or {})))
    return done


# --- the supplier ---------------------------------------------------------------------------

def accept(ctx: Ctx, no: str) -> Target:
    target = access.for_supplier(ctx, no)
    suppliers.require_may_take_work(target.supplier)
    move(ctx, target, "accept")
    return target


def reject(ctx: Ctx, no: str, reason: RejectReason, note: str | None = None) -> None:
    """Rejected at once; its lines go to their next backups in the same transaction, else back
    to the shop order (the reactions). The supplier is not told where they went."""
    target = access.for_supplier(ctx, no)
    move(ctx, target, "reject", reason=reason.value, data={"note": note} if note else None,
         reject_reason=reason.value)


def expire(ctx: Ctx, order: DispatchOrder) -> None:
    """The acceptance deadline passed (the worker): like a reject, reason acceptance_timeout."""
    why = RejectReason.ACCEPTANCE_TIMEOUT.value
    move(ctx, access.of_order(ctx, order), "expire", reason=why, reject_reason=why)


def accept_cancel(ctx: Ctx, no: str) -> None:
    target = access.for_supplier(ctx, no)
    move(ctx, target, "accept_cancel", reason=target.order.cancel_reason)


def refuse_cancel(ctx: Ctx, no: str, note: str | None = None) -> None:
    """Back to `accepted` (the only status a cancel can be requested from); the units the shop
    asked to cancel stay the supplier's to ship."""
    target = access.for_supplier(ctx, no)
    move(ctx, target, "refuse_cancel", reason=note, cancel_requested_at=None)
    ctx.session.execute(update(DispatchLine)
                        .where(DispatchLine.dispatch_order_pk == target.order.id)
                        .values(cancel_quantity=0)
                        .execution_options(synchronize_session=False))


# --- the shop -------------------------------------------------------------------------------

def cancel(ctx: Ctx, no: str, reason: str | None = None) -> None:
    """At once while `assigned`; a request to the supplier once `accepted`; 409 otherwise
    (from the table: nothing cancels once anything shipped)."""
    target = access.for_shop(ctx, no)
    action = "request_cancel" if target.order.status == DispatchStatus.ACCEPTED else "cancel"
    move(ctx, target, action, reason=reason, cancel_reason=reason)


_DL = cast(Table, DispatchLine.__table__)
_CANCEL_UNITS = _DL.update().where(_DL.c.id == bindparam("pk")).values(
    cancel_quantity=bindparam("units"))


def cancel_units(ctx: Ctx, target: Target, units: Mapping[int, int], reason: str,
                 lines: list[dict[str, int]]) -> str:
    """The shop cancels `units` (dispatch line id → units; `lines` says the same per shop order
    line, for the record and the supplier) of the dispatch order: the whole dispatch order is
    cancelled at once while `assigned`, or asked of the supplier once `accepted`; when it ends,
    those units are cancelled and the rest go back to the shop's queue (fulfilment.reroute).
    Returns the action fired."""
    if not target.as_shop:
        raise ShopOnly()
    order = target.order
    action = "request_cancel" if order.status == DispatchStatus.ACCEPTED else "cancel"
    # The dispatch order's row first, as shipping takes it (shipping.service.claim): a shipment
    # or an accept racing this cancel queues behind it, or wins and this one is refused.
    claimed = ctx.session.execute(
        update(DispatchOrder)
        .where(DispatchOrder.id == order.id, DispatchOrder.status == order.status)
        .values(status=DispatchOrder.status)
        .execution_options(synchronize_session=False)).rowcount == 1  # type: ignore[attr-defined]
    if not claimed:
        ctx.session.refresh(order, ["status"])
        raise InvalidTransition(machine=DISPATCH_TRANSITIONS.machine, action=action,
                                current_status=order.status)
    ctx.session.execute(_CANCEL_UNITS, [{"pk": pk, "units": n} for pk, n in sorted(units.items())])
    move(ctx, target, action, reason=reason, data={"cancel_units": lines},
         extra={"cancel_units": lines}, cancel_reason=reason)
    return action


# --- the system (tracking, sweeps) ----------------------------------------------------------

def withdraw(ctx: Ctx, order: DispatchOrder, reason: str) -> None:
    """The supplier can no longer take it (suspended): ends like a rejection, so the reactions
    send its lines to their backups, else back to the shop's queue."""
    move(ctx, access.of_order(ctx, order), "withdraw", reason=reason, reject_reason=reason)


def deliver(ctx: Ctx, order: DispatchOrder) -> None:
    """Every parcel delivered (the tracking package decides when)."""
    move(ctx, access.of_order(ctx, order), "deliver")


def complete(ctx: Ctx, order: DispatchOrder) -> None:
    """The after-sales window passed since delivery (the tracking package decides when)."""
    move(ctx, access.of_order(ctx, order), "complete")

