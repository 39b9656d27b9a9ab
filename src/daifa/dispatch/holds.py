"""Holds: a typed reason beside the status (states.py), placed and released by shop or supplier.

While held, shipping is refused (409 DISPATCH_ORDER_ON_HOLD); accepting, rejecting and cancelling
stay possible. The shop's hold (awaiting payment, say) is the shop's to release; a supplier's hold
may be released by the supplier or by the shop (who fixed the address, for example). Placing and
releasing are conditional UPDATEs, so a hold and a shipment racing each other cannot both win.
When the shop corrects the recipient, an `address_problem` hold is released with it
(`recipient_changed`).
"""

from __future__ import annotations

from sqlalchemy import update

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import access
from daifa.dispatch.access import Target
from daifa.dispatch.errors import DispatchOrderOnHold, HoldPlacedByShop, NotOnHold
from daifa.dispatch.events import DispatchOrderMoved
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import HOLDABLE_STATUSES, HoldReason
from daifa.errors import InvalidTransition

_HOLDABLE = sorted(status.value for status in HOLDABLE_STATUSES)


def place(ctx: Ctx, no: str, reason: HoldReason, note: str | None = None) -> None:
    target = access.find(ctx, no)
    order = target.order
    result = ctx.session.execute(
        update(DispatchOrder)
        .where(DispatchOrder.id == order.id, DispatchOrder.hold_reason.is_(None),
               DispatchOrder.status.in_(_HOLDABLE))
        .values(hold_reason=reason.value, held_by=target.party, held_at=ctx.now())
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        _refused(ctx, target, "hold")
    ctx.session.refresh(order)
    audit.record(ctx, "dispatch_order", target.no, "dispatch_order.hold", from_status=order.status,
                 to_status=order.status, reason=reason.value,
                 data={"by": target.party, **({"note": note} if note else {})})
    ctx.publish(DispatchOrderMoved(target, "held", order.status, reason.value,
                                   extra={"held_by": target.party}))


def release(ctx: Ctx, no: str, note: str | None = None) -> None:
    target = access.find(ctx, no)
    order = target.order
    if order.held_by == "shop" and not target.as_shop:
        raise HoldPlacedByShop()
    held, by = order.hold_reason, order.held_by
    released = held is not None and ctx.session.execute(
        update(DispatchOrder)
        .where(DispatchOrder.id == order.id, DispatchOrder.hold_reason == held,
               DispatchOrder.held_by == by)
        .values(hold_reason=None, held_by=None, held_at=None)
        .execution_options(synchronize_session=False)).rowcount == 1  # type: ignore[attr-defined]
    if not released:
        ctx.session.refresh(order)
        raise NotOnHold(dispatch_order_no=target.no, current_status=order.status,
                        hold_reason=order.hold_reason)
    ctx.session.refresh(order)
    audit.record(ctx, "dispatch_order", target.no, "dispatch_order.release_hold",
                 from_status=order.status, to_status=order.status, reason=held,
                 data={"by": target.party, "placed_by": by, **({"note": note} if note else {})})
    ctx.publish(DispatchOrderMoved(target, "hold_released", order.status, held))


def _refused(ctx: Ctx, target: Target, action: str) -> None:
    order = target.order
    ctx.session.refresh(order)
    if order.status not in _HOLDABLE:
        raise InvalidTransition(action=action, current_status=order.status)
    raise DispatchOrderOnHold(dispatch_order_no=target.no, current_status=order.status,
                              hold_reason=order.hold_reason)



def recipient_changed(ctx: Ctx, target: Target, changed: list[str], region: str) -> bool:
    """The shop corrected the recipient (`changed`: which of name, phone, address): the
    supplier is told on the timeline and by webhook (the new region only, as always), and an
    `address_problem` hold is released, since that was what it waited for. Returns whether a
    hold was released."""
    order = target.order
    released = bool(ctx.session.execute(
        update(DispatchOrder)
        .where(DispatchOrder.id == order.id,
               DispatchOrder.hold_reason == HoldReason.ADDRESS_PROBLEM.value)
        .values(hold_reason=None, held_by=None, held_at=None)
        .execution_options(synchronize_session=False)).rowcount == 1)  # type: ignore[attr-defined]
    if released:
        placed_by = order.held_by
        ctx.session.refresh(order)
        audit.record(ctx, "dispatch_order", target.no, "dispatch_order.release_hold",
                     from_status=order.status, to_status=order.status,
                     reason=HoldReason.ADDRESS_PROBLEM.value,
                     data={"by": target.party, "placed_by": placed_by,
                           "via": "recipient_changed"})
        ctx.publish(DispatchOrderMoved(target, "hold_released", order.status,
                                       HoldReason.ADDRESS_PROBLEM.value))
    audit.record(ctx, "dispatch_order", target.no, "dispatch_order.recipient_changed",
                 from_status=order.status, to_status=order.status,
                 data={"changed": changed, "hold_released": released})
    ctx.publish(DispatchOrderMoved(target, "recipient_changed", order.status,
                                   extra={"changed": changed, "region": region,
                                          "hold_released": released}))
    return released
