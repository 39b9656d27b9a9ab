"""Shipping one parcel of a dispatch order, and correcting a tracking number afterwards.

A parcel (carrier + normalised tracking number) belongs to one dispatch order; asking for it
again for the same dispatch order adds lines to it, for another one is 409 TRACKING_NO_IN_USE.
The dispatch order's row is claimed first (a conditional UPDATE that only passes while it is
accepted or partially shipped and not on hold), so two people shipping at once, or shipping
against a cancel or a hold, queue behind each other and the second decides on what the first
left; the shipped quantities themselves are conditional UPDATEs too (`shipped + q <= quantity`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.exc import IntegrityError

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import access, deadlines, lifecycle
from daifa.dispatch import service as dispatch
from daifa.dispatch.access import Target
from daifa.dispatch.errors import DispatchOrderOnHold
from daifa.dispatch.events import DispatchOrderMoved
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.dispatch.states import CORRECTABLE_STATUSES, SHIPPABLE_STATUSES
from daifa.errors import InvalidTransition
from daifa.kit.states import values
from daifa.messages import Notice
from daifa.shipping import views
from daifa.shipping.carriers import normalise_tracking_no, resolve_carrier, shape_warnings
from daifa.shipping.errors import (
    LineNotInDispatchOrder,
    QuantityExceedsRemaining,
    ShipmentNotFound,
    TrackingNoInUse,
)
from daifa.shipping.models import Shipment, ShipmentLine, TrackingCorrection
from daifa.shipping.schemas import ShipOut, WarningOut


def ship(ctx: Ctx, no: str, carrier: str, tracking_no: str,
         lines: Sequence[tuple[int, int]] | None = None) -> ShipOut:
    """One parcel with `lines` as (line_id, quantity), or everything left without them."""
    target = access.for_supplier(ctx, no)
    found = resolve_carrier(carrier)
    number = normalise_tracking_no(tracking_no)
    claim(ctx, target)
    rows = dispatch.lines_of(ctx, [target.order.id])[target.order.id]
    wanted = _wanted(rows, lines)
    parcel = _parcel(ctx, target, found.code, number)
    _take(ctx, rows, wanted)
    _pack(ctx, parcel, wanted)
    left = sum(row.quantity - row.shipped_quantity for row in rows) - sum(wanted.values())
    data = {"shipment_id": parcel.id, "carrier": found.code, "tracking_no": number,
            "lines": [{"line_id": row.line_pk, "quantity": wanted[row.id]}
                      for row in rows if row.id in wanted]}
    late = deadlines.is_late(ctx, target.order)
    values: dict[str, Any] = {"late": True} if late else {}
    lifecycle.move(ctx, target, "ship_fully" if left == 0 else "ship_partially", data=data,
                   **values)
    if late:
        deadlines.record_late(ctx, target)
    return _out(ctx, target, shape_warnings(found, number))


def _out(ctx: Ctx, target: Target, notices: list[Notice]) -> ShipOut:
    return ShipOut(**views.visible(ctx, target.no).model_dump(), warnings=list(notices),
                   warning_details=[WarningOut(**n.as_dict()) for n in notices])


def claim(ctx: Ctx, target: Target) -> None:
    """Take the dispatch order for shipping: passes only while it is shippable and not held;
    on PostgreSQL it also locks the row until commit, so shippers (and cancels) queue."""
    order = target.order
    result = ctx.session.execute(
        update(DispatchOrder)
        .where(DispatchOrder.id == order.id,
               DispatchOrder.status.in_(values(SHIPPABLE_STATUSES)),
               DispatchOrder.hold_reason.is_(None))
        .values(status=DispatchOrder.status)
        .execution_options(synchronize_session=False))
    ctx.session.refresh(order)
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return
    if order.status in SHIPPABLE_STATUSES:
        raise DispatchOrderOnHold(dispatch_order_no=target.no, current_status=order.status,
                                  hold_reason=order.hold_reason)
    raise InvalidTransition(action="ship", current_status=order.status)


def _wanted(rows: Sequence[Row[Any]], lines: Sequence[tuple[int, int]] | None
            ) -> dict[int, int]:
    """dispatch line row id → units for this parcel, checked against what is left."""
    if lines is None:
        return {row.id: row.quantity - row.shipped_quantity for row in rows
                if row.quantity > row.shipped_quantity}
    by_line = {row.line_pk: row for row in rows}
    wanted: dict[int, int] = {}
    for line_id, quantity in lines:
        row = by_line.get(line_id)
        if row is None:
            raise LineNotInDispatchOrder(line_id=line_id)
        wanted[row.id] = wanted.get(row.id, 0) + quantity
    for row in rows:
        left = row.quantity - row.shipped_quantity
        if wanted.get(row.id, 0) > left:
            raise QuantityExceedsRemaining(line_id=row.line_pk, remaining=left,
                                           requested=wanted[row.id])
    return wanted


def _parcel(ctx: Ctx, target: Target, carrier_code: str, number: str) -> Shipment:
    existing = ctx.session.scalar(select(Shipment).where(
        Shipment.carrier_code == carrier_code, Shipment.tracking_no == number))
    if existing is not None:
        if existing.dispatch_order_pk != target.order.id:
            raise _in_use(carrier_code, number)
        return existing
    now = ctx.now()
    parcel = Shipment(dispatch_order_pk=target.order.id, shop_pk=target.order.shop_pk,
                      supplier_pk=target.order.supplier_pk, carrier_code=carrier_code,
                      tracking_no=number, shipped_at=now, created_at=now)
    try:
        with ctx.session.begin_nested():
            ctx.session.add(parcel)
            ctx.session.flush()
    except IntegrityError:  # another dispatch order took the number meanwhile (PostgreSQL)
        raise _in_use(carrier_code, number) from None
    return parcel


def _in_use(carrier_code: str, number: str) -> TrackingNoInUse:
    return TrackingNoInUse(carrier=carrier_code, tracking_no=number)


def _take(ctx: Ctx, rows: Sequence[Row[Any]], wanted: dict[int, int]) -> None:
    for row in rows:
        quantity = wanted.get(row.id)
        if not quantity:
            continue
        result = ctx.session.execute(
            update(DispatchLine)
            .where(DispatchLine.id == row.id,
                   DispatchLine.shipped_quantity + quantity <= DispatchLine.quantity)
            .values(shipped_quantity=DispatchLine.shipped_quantity + quantity)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise QuantityExceedsRemaining(line_id=row.line_pk)


def _pack(ctx: Ctx, parcel: Shipment, wanted: dict[int, int]) -> None:
    """Record which lines the parcel carries (adding to what it already carried)."""
    have = {line.dispatch_line_pk: line for line in ctx.session.scalars(
        select(ShipmentLine).where(ShipmentLine.shipment_pk == parcel.id))}
    for line_pk, quantity in wanted.items():
        if line_pk in have:
            have[line_pk].quantity += quantity
        else:
            ctx.session.add(ShipmentLine(shipment_pk=parcel.id, dispatch_line_pk=line_pk,
                                         quantity=quantity))
    ctx.session.flush()


def correct(ctx: Ctx, no: str, shipment_id: int, tracking_no: str, carrier: str | None = None,
            reason: str | None = None) -> ShipOut:
    """A new tracking number (and carrier) for a parcel, recorded with the old one."""
    target = access.for_supplier(ctx, no)
    # An id past what the column holds is no parcel of ours (the database would refuse it).
    parcel = ctx.session.get(Shipment, shipment_id) if 0 < shipment_id < 2**62 else None
    if parcel is None or parcel.dispatch_order_pk != target.order.id:
        raise ShipmentNotFound()
    if target.order.status not in CORRECTABLE_STATUSES:
        raise InvalidTransition(action="correct_tracking", current_status=target.order.status)
    found = resolve_carrier(carrier) if carrier else resolve_carrier(parcel.carrier_code)
    number = normalise_tracking_no(tracking_no)
    old = (parcel.carrier_code, parcel.tracking_no)
    if (found.code, number) != old:
        _renumber(ctx, target, parcel, found.code, number, reason)
    return _out(ctx, target, shape_warnings(found, number))


def _renumber(ctx: Ctx, target: Target, parcel: Shipment, carrier_code: str, number: str,
              reason: str | None) -> None:
    old_carrier, old_number = parcel.carrier_code, parcel.tracking_no
    try:
        with ctx.session.begin_nested():
            result = ctx.session.execute(
                update(Shipment)
                .where(Shipment.id == parcel.id, Shipment.carrier_code == old_carrier,
                       Shipment.tracking_no == old_number)
                .values(carrier_code=carrier_code, tracking_no=number, tracking_status=None,
                        tracking_updated_at=None, delivered_at=None)
                .execution_options(synchronize_session=False))
    except IntegrityError:
        raise _in_use(carrier_code, number) from None
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(code="CHANGED_MEANWHILE", current_status=target.order.status)
    ctx.session.add(TrackingCorrection(
        shipment_pk=parcel.id, old_carrier_code=old_carrier, old_tracking_no=old_number,
        new_carrier_code=carrier_code, new_tracking_no=number, actor=audit.actor_label(ctx),
        reason=reason, at=ctx.now()))
    ctx.session.refresh(parcel)
    change: dict[str, Any] = {"shipment_id": parcel.id,
                              "old": {"carrier": old_carrier, "tracking_no": old_number},
                              "new": {"carrier": carrier_code, "tracking_no": number}}
    status = target.order.status
    audit.record(ctx, "dispatch_order", target.no, "dispatch_order.tracking_corrected",
                 from_status=status, to_status=status, reason=reason, data=change)
    ctx.publish(DispatchOrderMoved(target, "tracking_corrected", status, reason, extra=change))
