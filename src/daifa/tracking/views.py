"""Tracking as a dispatch order's shop and supplier see it: its parcels with their events."""

from __future__ import annotations

from sqlalchemy import select

from daifa.context import Ctx
from daifa.dispatch.models import DispatchOrder
from daifa.shipping import views
from daifa.shipping.carriers import find_carrier
from daifa.shipping.models import Shipment
from daifa.tracking.schemas import ParcelOut, TrackingEventOut, TrackingOut
from daifa.tracking.service import events_of
from daifa.tracking.status import TrackingStatus


def for_dispatch_order(ctx: Ctx, dispatch_order_no: str) -> TrackingOut:
    """404 for anyone but its shop and its supplier (the dispatch order's own rule)."""
    order = views.visible(ctx, dispatch_order_no)
    shipments = ctx.session.scalars(
        select(Shipment).join(DispatchOrder, DispatchOrder.id == Shipment.dispatch_order_pk)
        .where(DispatchOrder.dispatch_order_no == order.dispatch_order_no)
        .order_by(Shipment.id)).all()
    events = events_of(ctx, [(s.carrier_code, s.tracking_no) for s in shipments])
    parcels = []
    for shipment in shipments:
        carrier = find_carrier(shipment.carrier_code)
        status = TrackingStatus(shipment.tracking_status) if shipment.tracking_status else None
        parcels.append(ParcelOut(
            carrier=shipment.carrier_code,
            carrier_name=carrier.name if carrier else shipment.carrier_code,
            tracking_no=shipment.tracking_no,
            status=status.value if status else None,
            status_label=status.label if status else None,
            shipped_at=shipment.shipped_at, tracking_updated_at=shipment.tracking_updated_at,
            delivered_at=shipment.delivered_at,
            events=[TrackingEventOut(status=e.status.value, label=e.status.label,
                                     occurred_at=e.occurred_at, description=e.detail)
                    for e in events.get((shipment.carrier_code, shipment.tracking_no), [])]))
    return TrackingOut(dispatch_order_no=order.dispatch_order_no, status=order.status,
                       parcels=parcels)
