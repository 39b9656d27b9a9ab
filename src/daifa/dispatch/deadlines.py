"""Deadlines: the acceptance deadline (`accept_by`) and the ship-by deadline (`ship_by`).

Two worker sweeps, on the injected clock:

- `expire_due`: dispatch orders still `assigned` after `accept_by` are expired (reason
  `acceptance_timeout`) and go to the next backup like a rejection. A supplier accepting at the
  same moment wins or loses cleanly: both are conditional UPDATEs from `assigned`.
- `mark_late_due`: dispatch orders not all shipped by `ship_by` get the `late` flag, once, with a
  `dispatch_order.late` event (ratings count them later). Shipping after `ship_by` sets it too.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import access, lifecycle
from daifa.dispatch.access import Target
from daifa.dispatch.events import DispatchOrderMoved
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import LATE_STATUSES, DispatchStatus
from daifa.errors import DaifaError
from daifa.kit.states import values

log = logging.getLogger("daifa.dispatch")
BATCH = 500


def is_late(ctx: Ctx, order: DispatchOrder) -> bool:
    """Past its ship-by time and not flagged yet."""
    return not order.late and ctx.now() > order.ship_by


def record_late(ctx: Ctx, target: Target) -> None:
    order = target.order
    audit.record(ctx, "dispatch_order", target.no, "dispatch_order.late",
                 from_status=order.status, to_status=order.status, reason="ship_by_passed",
                 data={"ship_by": order.ship_by.isoformat()})
    ctx.publish(DispatchOrderMoved(target, "late", order.status, "ship_by_passed",
                                   extra={"ship_by": order.ship_by}))


def expire_due(ctx: Ctx) -> int:
    """Sweep: expire what was not accepted in time; each in a savepoint, so one failure (or
    one accepted meanwhile) does not stop the others."""
    due = ctx.session.scalars(
        select(DispatchOrder)
        .where(DispatchOrder.status == DispatchStatus.ASSIGNED.value,
               DispatchOrder.accept_by <= ctx.now())
        .order_by(DispatchOrder.accept_by, DispatchOrder.id).limit(BATCH)).all()
    done = 0
    for order in due:
        try:
            with ctx.session.begin_nested():
                lifecycle.expire(ctx, order)
            done += 1
        except DaifaError as exc:  # accepted, rejected or reassigned meanwhile
            log.info("dispatch order %s not expired: %s", order.dispatch_order_no, exc)
    return done


def mark_late_due(ctx: Ctx) -> int:
    """Sweep: flag dispatch orders past ship_by with units still to ship. The UPDATE …
    RETURNING names exactly the rows this run flagged, so two runs never both record one."""
    now = ctx.now()
    flagged = ctx.session.scalars(
        update(DispatchOrder)
        .where(DispatchOrder.id.in_(
            select(DispatchOrder.id)
            .where(DispatchOrder.status.in_(values(LATE_STATUSES)), DispatchOrder.ship_by < now,
                   DispatchOrder.late.is_(False))
            .order_by(DispatchOrder.id).limit(BATCH).scalar_subquery()),
            DispatchOrder.late.is_(False))
        .values(late=True)
        .returning(DispatchOrder.id)
        .execution_options(synchronize_session=False)).all()
    for pk in sorted(flagged):
        order = ctx.session.get_one(DispatchOrder, pk)
        ctx.session.refresh(order)
        record_late(ctx, access.of_order(ctx, order))
    return len(flagged)
