"""The dispatch-order lifecycle (states.py has the table and the decisions behind it).

Every move goes through `audit.fire` (table check, conditional UPDATE, timeline event), then a
webhook event `dispatch_order.<what happened>` and, when units moved, the shop order's status.
Of two people acting at once exactly one wins; the other gets 409 with the current status.

- the supplier: accept, reject (→ the next backup in the same request, else back to the shop),
  answer a cancel request (accept_cancel / refuse_cancel);
- the shop: cancel (at once while `assigned`, a request once `accepted`, 409 once shipped);
- either: place or release a hold (holds.py); the system: expire, deliver, complete.
"""

from __future__ import annotations

from typing import Any

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import access, notify, progress, reroute
from daifa.dispatch import service as dispatch
from daifa.dispatch.access import Target
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.schemas import DispatchOrderOut
from daifa.dispatch.states import (
    DISPATCH_TRANSITIONS,
    ENDING_ACTIONS,
    DispatchStatus,
    RejectReason,
)
from daifa.kit.states import Transition

# Timestamp column each move sets.
_STAMPS = {
    "accept": "accepted_at", "ship_fully": "shipped_at", "deliver": "delivered_at",
    "complete": "completed_at", "request_cancel": "cancel_requested_at",
    "reject": "closed_at", "expire": "closed_at", "cancel": "closed_at",
    "accept_cancel": "closed_at", "reassign": "closed_at",
}
# Moves that change what the shop order's units are doing.
_SETTLES = frozenset({"ship_partially", "ship_fully", "deliver", "complete"})


def move(ctx: Ctx, target: Target, action: str, *, reason: str | None = None,
         data: dict[str, Any] | None = None, notify_shop: dict[str, Any] | None = None,
         **values: Any) -> Transition[DispatchStatus]:
    """Fire `action` on the dispatch order, announce it, settle the shop order."""
    order = target.order
    now = ctx.now()
    stamp = _STAMPS.get(action)
    if stamp:
        values.setdefault(stamp, now)
    if action in ENDING_ACTIONS:  # the hold goes with the units
        values.update(hold_reason=None, held_by=None, held_at=None)
    done = audit.fire(ctx, DISPATCH_TRANSITIONS, order, action,
                      subject=("dispatch_order", order.dispatch_order_no), reason=reason,
                      data=data, **values)
    announce(ctx, target, action, done.source.value, reason, notify_shop)
    if action in _SETTLES:
        progress.settle(ctx, [order.order_pk], data={"dispatch_order_no": target.no})
    return done


def announce(ctx: Ctx, target: Target, what: str, previous: str | None, reason: str | None,
             shop_extra: dict[str, Any] | None = None, **extra: Any) -> None:
    """The webhook event for both sides; `shop_extra` only to the shop (its own event)."""
    order = target.order
    data = notify.payload(no=order.dispatch_order_no, order_pk=order.order_pk,
                          shop_id=target.shop.shop_id, supplier_id=target.supplier.supplier_id,
                          status=order.status, previous_status=previous, action=what,
                          at=ctx.now(), reason=reason, hold_reason=order.hold_reason,
                          late=bool(order.late), **extra)
    if shop_extra is None:
        notify.emit(ctx, shop_pk=order.shop_pk, supplier_pk=order.supplier_pk, what=what,
                    data=data)
        return
    notify.emit(ctx, shop_pk=None, supplier_pk=order.supplier_pk, what=what, data=data)
    notify.emit(ctx, shop_pk=order.shop_pk, supplier_pk=None, what=what,
                data={**data, **shop_extra})


def view(ctx: Ctx, target: Target) -> DispatchOrderOut:
    return dispatch.visible(ctx, target.no)


# --- the supplier ---------------------------------------------------------------------------

def accept(ctx: Ctx, no: str) -> DispatchOrderOut:
    target = access.for_supplier(ctx, no)
    move(ctx, target, "accept")
    return view(ctx, target)


def reject(ctx: Ctx, no: str, reason: RejectReason, note: str | None = None) -> DispatchOrderOut:
    """Rejected at once; its lines go to their next backups in the same transaction, else back
    to the shop order. The supplier gets the rejected order back (not where it went)."""
    target = access.for_supplier(ctx, no)
    _end_and_reroute(ctx, target, "reject", reason.value, note)
    return view(ctx, target)


def expire(ctx: Ctx, order: DispatchOrder) -> reroute.Outcome:
    """The acceptance deadline passed (the worker): like a reject, reason acceptance_timeout."""
    return _end_and_reroute(ctx, access.of_order(ctx, order), "expire",
                            RejectReason.ACCEPTANCE_TIMEOUT.value, None)


def _end_and_reroute(ctx: Ctx, target: Target, action: str, why: str,
                     note: str | None) -> reroute.Outcome:
    order = target.order
    previous = order.status
    audit.fire(ctx, DISPATCH_TRANSITIONS, order, action,
               subject=("dispatch_order", order.dispatch_order_no), reason=why,
               data={"note": note} if note else None, reject_reason=why, closed_at=ctx.now(),
               hold_reason=None, held_by=None, held_at=None)
    outcome = reroute.to_backups(ctx, target, why)
    announce(ctx, target, action, previous, why, shop_extra=outcome.as_data())
    return outcome


def accept_cancel(ctx: Ctx, no: str) -> DispatchOrderOut:
    target = access.for_supplier(ctx, no)
    _cancelled(ctx, target, "accept_cancel", target.order.cancel_reason)
    return view(ctx, target)


def refuse_cancel(ctx: Ctx, no: str, note: str | None = None) -> DispatchOrderOut:
    """Back to `accepted` (the only status a cancel can be requested from)."""
    target = access.for_supplier(ctx, no)
    move(ctx, target, "refuse_cancel", reason=note, cancel_requested_at=None)
    return view(ctx, target)


# --- the shop -------------------------------------------------------------------------------

def cancel(ctx: Ctx, no: str, reason: str | None = None) -> DispatchOrderOut:
    """At once while `assigned`; a request to the supplier once `accepted`; 409 otherwise
    (from the table: nothing cancels once anything shipped)."""
    target = access.for_shop(ctx, no)
    if target.order.status == DispatchStatus.ACCEPTED:
        move(ctx, target, "request_cancel", reason=reason, cancel_reason=reason)
    else:
        _cancelled(ctx, target, "cancel", reason, cancel_reason=reason)
    return view(ctx, target)


def _cancelled(ctx: Ctx, target: Target, action: str, reason: str | None,
               **values: Any) -> None:
    # The move first: its conditional UPDATE decides races before units and stock move.
    done = audit.fire(ctx, DISPATCH_TRANSITIONS, target.order, action,
                      subject=("dispatch_order", target.no), reason=reason,
                      closed_at=ctx.now(), hold_reason=None, held_by=None, held_at=None,
                      **values)
    lines = dispatch.lines_of(ctx, [target.order.id])[target.order.id]
    reroute.release_stock(ctx, lines)
    reroute.give_back(ctx, target, lines, reroute.CANCELLED, reason)
    progress.settle(ctx, [target.order.order_pk], data={"dispatch_order_no": target.no})
    announce(ctx, target, action, done.source.value, reason)


# --- the system (tracking, sweeps) ----------------------------------------------------------

def deliver(ctx: Ctx, order: DispatchOrder) -> None:
    """Every parcel delivered (the tracking package decides when)."""
    move(ctx, access.of_order(ctx, order), "deliver")


def complete(ctx: Ctx, order: DispatchOrder) -> None:
    """The after-sales window passed since delivery (the tracking package decides when)."""
    move(ctx, access.of_order(ctx, order), "complete")

