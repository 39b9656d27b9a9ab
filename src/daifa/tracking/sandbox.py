"""The sandbox tracking provider: every parcel goes 已揽收 → 运输中 → 派件中 → 已签收 on a fixed
schedule after it was shipped (``tracking_sandbox_minutes``: minutes to each step), so the demo
and a local hub show parcels moving and orders completing without a real provider.

The sweep ``advance`` asks the sandbox for the events due and feeds them, as one webhook body,
through ``tracking.service.ingest``: stored raw, processed by the same job as a provider's push.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate

from sqlalchemy import or_, select

from daifa.context import Ctx
from daifa.shipping.models import Shipment
from daifa.tracking import service
from daifa.tracking.providers import Parcel
from daifa.tracking.schemas import TrackingEventIn, TrackingWebhookIn
from daifa.tracking.status import TrackingStatus

NAME = "sandbox"
STEPS = (TrackingStatus.COLLECTED, TrackingStatus.IN_TRANSIT, TrackingStatus.OUT_FOR_DELIVERY,
         TrackingStatus.DELIVERED)
DESCRIPTIONS = {
    TrackingStatus.COLLECTED: "【沙盒】快递员已揽收",
    TrackingStatus.IN_TRANSIT: "【沙盒】快件已发往目的地转运中心",
    TrackingStatus.OUT_FOR_DELIVERY: "【沙盒】快递员正在派件",
    TrackingStatus.DELIVERED: "【沙盒】已签收，感谢使用",
}
MOVING = [None, TrackingStatus.AWAITING_PICKUP, *STEPS[:-1]]
BATCH = 1000


@dataclass(frozen=True)
class SandboxProvider:
    minutes: Sequence[int]  # to 已揽收, then to each next step
    name: str = NAME

    def schedule(self, shipped_at: datetime) -> list[tuple[TrackingStatus, datetime]]:
        offsets = accumulate(self.minutes)
        return [(status, shipped_at + timedelta(minutes=offset))
                for status, offset in zip(STEPS, offsets, strict=True)]

    def due_events(self, parcels: Sequence[Parcel], now: datetime) -> list[TrackingEventIn]:
        events: list[TrackingEventIn] = []
        for parcel in parcels:
            reached = STEPS.index(parcel.status) if parcel.status in STEPS else -1
            for index, (status, at) in enumerate(self.schedule(parcel.shipped_at)):
                if index > reached and at <= now:
                    events.append(TrackingEventIn(
                        event_id=f"{parcel.carrier_code}-{parcel.tracking_no}-{status.value}",
                        carrier=parcel.carrier_code, tracking_no=parcel.tracking_no,
                        status=status.value, occurred_at=at, description=DESCRIPTIONS[status]))
        return events


def advance(ctx: Ctx) -> int:
    """Sweep: feed the sandbox's due events for parcels still on their way; the count fed."""
    if not ctx.settings.tracking_sandbox:
        return 0
    provider = SandboxProvider(ctx.settings.tracking_sandbox_minutes)
    moving = [status.value for status in MOVING if status is not None]
    rows = ctx.session.execute(
        select(Shipment.carrier_code, Shipment.tracking_no, Shipment.shipped_at,
               Shipment.tracking_status)
        .where(or_(Shipment.tracking_status.is_(None), Shipment.tracking_status.in_(moving)),
               Shipment.shipped_at <= ctx.now() - timedelta(minutes=provider.minutes[0]))
        .order_by(Shipment.id).limit(BATCH)).all()
    parcels = [Parcel(carrier, number, shipped_at, TrackingStatus(status) if status else None)
               for carrier, number, shipped_at, status in rows]
    events = provider.due_events(parcels, ctx.now())
    if not events:
        return 0
    body = TrackingWebhookIn(events=events).model_dump_json(exclude_none=True).encode()
    service.ingest(ctx, NAME, body, len(events))
    return len(events)
