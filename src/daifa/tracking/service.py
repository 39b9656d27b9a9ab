"""Receiving tracking events and applying them to shipments.

``receive`` is the webhook: verify the HMAC signature and the timestamp window, store the raw
body, enqueue ``tracking.process`` and answer at once. ``ingest`` is the part after the
signature check; the sandbox provider feeds its events through it too. ``process`` (the job)
keeps each event once (provider event id, else carrier + number + status + time; a unique key
in the database backs it), merges late and early events by their time (``shipping.tracking``),
sets each shipment's tracking status, and moves a fully shipped dispatch order to ``delivered``
once every one of its parcels is delivered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, tuple_, update

from daifa.context import Ctx
from daifa.errors import ValidationFailed
from daifa.jobs import service as jobs
from daifa.shipping.models import Shipment
from daifa.tracking import closing, rules
from daifa.tracking.errors import TrackingProviderNotFound
from daifa.tracking.models import TrackingEventRow, TrackingRawEvent
from daifa.tracking.schemas import TrackingAccepted, TrackingWebhookIn
from daifa.tracking.status import TrackingEvent, TrackingStatus, current_status, merge_events
from daifa.webhooks import signing

PROCESS_JOB = "tracking.process"
SIGNATURE_HEADER = "Daifa-Signature"
Parcel = tuple[str, str]  # (carrier code, tracking no.)


def secret(ctx: Ctx, provider: str) -> str:
    return rules.provider_secret(provider, ctx.settings.tracking_webhook_secret,
                                 ctx.settings.resolved_secret_key())


def require_provider(ctx: Ctx, provider: str) -> str:
    if provider not in ctx.settings.tracking_providers or not rules.PROVIDER_NAME.match(provider):
        raise TrackingProviderNotFound(provider=provider[:32])
    return provider


def receive(ctx: Ctx, provider: str, body: bytes, signature: str | None) -> TrackingAccepted:
    """The signed webhook: 401 ``WEBHOOK_SIGNATURE_INVALID`` / ``WEBHOOK_TIMESTAMP_STALE``,
    422 for a body that is not a list of events, else stored and queued."""
    require_provider(ctx, provider)
    signing.verify(secret(ctx, provider), signature, body, ctx.now())
    document = parse_body(body)
    rules.parse_events(provider, document.events)
    ingest(ctx, provider, body, len(document.events))
    return TrackingAccepted(received=len(document.events))


def parse_body(body: bytes) -> TrackingWebhookIn:
    try:
        return TrackingWebhookIn.model_validate_json(body)
    except ValidationError as exc:
        errors = [{"loc": ["body", *(str(p) for p in err["loc"])], "msg": err["msg"],
                   "type": err["type"]} for err in exc.errors()]
        fields = ", ".join(dict.fromkeys(".".join(e["loc"][1:]) or "body" for e in errors))
        raise ValidationFailed(fields=fields[:1000], errors=errors[:20]) from None


def ingest(ctx: Ctx, provider: str, body: bytes, count: int) -> TrackingRawEvent:
    """Store a provider's (verified) body as received and queue its processing."""
    raw = TrackingRawEvent(provider=provider, body=body.decode(), received_at=ctx.now(),
                           event_count=count)
    ctx.session.add(raw)
    ctx.session.flush()
    jobs.enqueue(ctx, PROCESS_JOB, {"raw": raw.id})
    return raw


def process(ctx: Ctx, payload: dict[str, Any]) -> None:
    """The job: apply one stored body's events (once; a second run does nothing)."""
    raw = ctx.session.get(TrackingRawEvent, int(payload["raw"]))
    if raw is None or raw.processed_at is not None or not _take(ctx, raw):
        return
    incoming = rules.parse_events(raw.provider, parse_body(raw.body.encode()).events)
    raw.new_events = apply(ctx, raw, incoming)
    raw.processed_at = ctx.now()


def _take(ctx: Ctx, raw: TrackingRawEvent) -> bool:
    """Mark the body processed, unless another transaction did first: two workers running its
    job at once (a lease that lapsed) apply it once. On PostgreSQL the second waits on the row
    and then finds it taken, or free again if the first rolled back."""
    taken = ctx.session.execute(
        update(TrackingRawEvent)
        .where(TrackingRawEvent.id == raw.id, TrackingRawEvent.processed_at.is_(None))
        .values(processed_at=ctx.now()).execution_options(synchronize_session=False))
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def apply(ctx: Ctx, raw: TrackingRawEvent, incoming: Sequence[TrackingEvent]) -> int:
    """Store the new events among ``incoming`` and bring their shipments up to date."""
    by_parcel: dict[Parcel, list[TrackingEvent]] = defaultdict(list)
    for event in incoming:
        by_parcel[(event.carrier_code, event.tracking_no)].append(event)
    shipments = _lock_shipments(ctx, by_parcel)  # before reading events: see _lock_shipments
    known = events_of(ctx, by_parcel)
    added_total = 0
    delivered_orders: set[int] = set()
    for parcel, events in by_parcel.items():
        merged = merge_events(known.get(parcel, []), events)
        _insert(ctx, raw, merged.added)
        added_total += len(merged.added)
        shipment = shipments.get(parcel)
        # Refreshed from all its events even when none is new: events may have come in before
        # the parcel was shipped in daifa (or before its tracking number was corrected to it).
        if shipment is not None and _refresh(shipment, merged.events):
            delivered_orders.add(shipment.dispatch_order_pk)
    ctx.session.flush()
    for order_pk in sorted(delivered_orders):
        closing.deliver_if_all_delivered(ctx, order_pk)
    return added_total


def _lock_shipments(ctx: Ctx, parcels: Iterable[Parcel]) -> dict[Parcel, Shipment]:
    """The parcels' shipments, locked in id order on PostgreSQL (SQLite has one writer), so two
    jobs for the same parcel run one after the other and the second reads the first's events."""
    keys = list(parcels)
    if not keys:
        return {}
    rows = ctx.session.scalars(
        select(Shipment).where(tuple_(Shipment.carrier_code, Shipment.tracking_no).in_(keys))
        .order_by(Shipment.id).with_for_update())
    return {(row.carrier_code, row.tracking_no): row for row in rows}


def events_of(ctx: Ctx, parcels: Iterable[Parcel]) -> dict[Parcel, list[TrackingEvent]]:
    """Every stored event of these parcels, oldest first."""
    keys = list(parcels)
    found: dict[Parcel, list[TrackingEvent]] = defaultdict(list)
    if not keys:
        return found
    rows = ctx.session.scalars(
        select(TrackingEventRow)
        .where(tuple_(TrackingEventRow.carrier_code, TrackingEventRow.tracking_no).in_(keys))
        .order_by(TrackingEventRow.occurred_at, TrackingEventRow.id))
    for row in rows:
        found[(row.carrier_code, row.tracking_no)].append(to_event(row))
    return found


def to_event(row: TrackingEventRow) -> TrackingEvent:
    return TrackingEvent(row.carrier_code, row.tracking_no, TrackingStatus(row.status),
                         row.occurred_at,
                         f"{row.provider}:{row.event_id}" if row.event_id else None,
                         row.description)


def _insert(ctx: Ctx, raw: TrackingRawEvent, events: Sequence[TrackingEvent]) -> None:
    now = ctx.now()
    ctx.session.add_all(
        TrackingEventRow(provider=raw.provider, event_key=rules.event_key(raw.provider, event),
                         event_id=rules.provider_event_id(raw.provider, event),
                         carrier_code=event.carrier_code, tracking_no=event.tracking_no,
                         status=event.status.value, occurred_at=event.occurred_at,
                         description=event.detail, raw_pk=raw.id, received_at=now)
        for event in events)


def _refresh(shipment: Shipment, events: Sequence[TrackingEvent]) -> bool:
    """Set the shipment's tracking fields from all its events; True when it is delivered."""
    status = current_status(events)
    if status is None:
        return False
    shipment.tracking_status = status.value
    shipment.tracking_updated_at = max(event.occurred_at for event in events)
    shipment.delivered_at = _delivered_at(events) if status is TrackingStatus.DELIVERED else None
    return status is TrackingStatus.DELIVERED


def _delivered_at(events: Sequence[TrackingEvent]) -> datetime | None:
    times = [e.occurred_at for e in events if e.status is TrackingStatus.DELIVERED]
    return min(times) if times else None
