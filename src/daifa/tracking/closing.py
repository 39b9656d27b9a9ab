"""Delivered parcels close dispatch orders: ``shipped`` → ``delivered`` once every parcel is
signed for, and ``delivered`` → ``completed`` when the after-sales window has passed since the
last parcel was delivered. The moves themselves are ``dispatch.lifecycle``'s (its events and
webhooks); this module only decides when.

``deliver_due`` repeats the delivered check as a sweep: two jobs delivering the last two parcels
of one order at the same moment each see the other's parcel still undelivered, and the sweep
catches what both missed.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import and_, exists, func, or_, select

from daifa.context import Ctx
from daifa.dispatch import lifecycle
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import DispatchStatus
from daifa.errors import InvalidTransition
from daifa.shipping.models import Shipment
from daifa.tracking.status import TrackingStatus

log = logging.getLogger("daifa.tracking")
BATCH = 500
DELIVERED = TrackingStatus.DELIVERED.value


def deliver_if_all_delivered(ctx: Ctx, order_pk: int) -> bool:
    """Deliver a ``shipped`` dispatch order whose parcels are all delivered."""
    order = ctx.session.get(DispatchOrder, order_pk)
    if order is None or order.status != DispatchStatus.SHIPPED:
        return False
    statuses = ctx.session.scalars(
        select(Shipment.tracking_status).where(Shipment.dispatch_order_pk == order_pk)).all()
    if not statuses or any(status != DELIVERED for status in statuses):
        return False
    return _move(ctx, order, "deliver")


def deliver_due(ctx: Ctx) -> int:
    """Sweep: every ``shipped`` dispatch order whose parcels are all delivered."""
    shipment = Shipment.dispatch_order_pk == DispatchOrder.id
    undelivered = or_(Shipment.tracking_status.is_(None), Shipment.tracking_status != DELIVERED)
    orders = ctx.session.scalars(
        select(DispatchOrder)
        .where(DispatchOrder.status == DispatchStatus.SHIPPED,
               exists().where(shipment),
               ~exists().where(and_(shipment, undelivered)))
        .order_by(DispatchOrder.id).limit(BATCH)).all()
    return sum(_move(ctx, order, "deliver") for order in orders)


def complete_due(ctx: Ctx) -> int:
    """Sweep: ``delivered`` dispatch orders whose last parcel was delivered longer ago than
    the after-sales window (``after_sales_window_days``)."""
    cutoff = ctx.now() - timedelta(days=ctx.settings.after_sales_window_days)
    due = (select(Shipment.dispatch_order_pk)
           .join(DispatchOrder, DispatchOrder.id == Shipment.dispatch_order_pk)
           .where(DispatchOrder.status == DispatchStatus.DELIVERED)
           .group_by(Shipment.dispatch_order_pk)
           .having(func.max(Shipment.delivered_at) <= cutoff)
           .order_by(Shipment.dispatch_order_pk).limit(BATCH))
    pks = ctx.session.scalars(due).all()
    if not pks:
        return 0
    orders = ctx.session.scalars(
        select(DispatchOrder).where(DispatchOrder.id.in_(pks)).order_by(DispatchOrder.id)).all()
    return sum(_move(ctx, order, "complete") for order in orders)


def _move(ctx: Ctx, order: DispatchOrder, action: str) -> bool:
    try:
        if action == "deliver":
            lifecycle.deliver(ctx, order)
        else:
            lifecycle.complete(ctx, order)
    except InvalidTransition as exc:  # someone else moved it first
        log.info("dispatch order %s: %s skipped: %s", order.dispatch_order_no, action, exc)
        return False
    return True
