"""The delivery log: an endpoint's deliveries with every attempt, and manual redelivery."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.errors import InvalidTransition
from daifa.kit.pagination import Page
from daifa.webhooks import delivery
from daifa.webhooks.errors import WebhookDeliveryNotFound, WebhookEndpointDisabled
from daifa.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from daifa.webhooks.schemas import AttemptOut, DeliveryOut
from daifa.webhooks.service import Owner, endpoint
from daifa.webhooks.states import DELIVERY_TRANSITIONS, DeliveryStatus


def deliveries(ctx: Ctx, owner: Owner, endpoint_id: str, before: int | None,
               limit: int) -> Page[DeliveryOut]:
    """An endpoint's deliveries, newest first, each with its attempts (two queries)."""
    found = endpoint(ctx, owner, endpoint_id)
    query = (select(WebhookDelivery, WebhookEvent)
             .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_pk)
             .where(WebhookDelivery.endpoint_pk == found.id))
    if before is not None:
        query = query.where(WebhookDelivery.id < before)
    rows = ctx.session.execute(query.order_by(WebhookDelivery.id.desc()).limit(limit)).all()
    attempts = _attempts(ctx, [row.id for row, _ in rows])
    return Page.of([(row.id, _out(row, event, found, attempts.get(row.id, [])))
                    for row, event in rows], limit)


def get(ctx: Ctx, owner: Owner, delivery_id: str) -> DeliveryOut:
    row, event, target = _owned(ctx, owner, delivery_id)
    return _out(row, event, target, _attempts(ctx, [row.id]).get(row.id, []))


def redeliver(ctx: Ctx, owner: Owner, delivery_id: str) -> DeliveryOut:
    """Send a finished delivery again now, with a fresh retry schedule. 409 while it is still
    pending (the worker is on it) or when its endpoint is disabled."""
    row, event, target = _owned(ctx, owner, delivery_id)
    if not target.enabled:
        raise WebhookEndpointDisabled()
    current = DeliveryStatus(row.status)
    now = ctx.now()
    if not audit.shift(ctx.session, DELIVERY_TRANSITIONS, WebhookDelivery, row.id, current,
                       "redeliver", failures=0, next_attempt_at=now, finished_at=None):
        ctx.session.refresh(row, ["status"])
        raise _refused(DeliveryStatus(row.status))
    delivery.queue(ctx, row.id, now)
    audit.record(ctx, "webhook_endpoint", target.public_id, "webhook_delivery.redeliver",
                 from_status=current, to_status=row.status,
                 data={"delivery_id": str(row.public_id), "event_type": event.type})
    ctx.session.refresh(row)
    return _out(row, event, target, _attempts(ctx, [row.id]).get(row.id, []))


@dataclass(frozen=True)
class Trouble:
    failed: int  # gave up after the retry schedule (a redelivery takes one back)
    retrying: int  # still pending after at least one failed attempt


def trouble(session: Session) -> Trouble:
    """Deliveries in trouble, across every endpoint, for the metrics: one query over the
    pending and failed rows only (the status index), never the succeeded many."""
    pending = DeliveryStatus.PENDING
    failed, retrying = session.execute(
        select(func.sum(case((WebhookDelivery.status == DeliveryStatus.FAILED, 1), else_=0)),
               func.sum(case((and_(WebhookDelivery.status == pending,
                                   WebhookDelivery.failures > 0), 1), else_=0)))
        .where(WebhookDelivery.status.in_([DeliveryStatus.FAILED, pending]))
    ).one()
    return Trouble(failed=int(failed or 0), retrying=int(retrying or 0))


def _refused(current: DeliveryStatus) -> InvalidTransition:
    return InvalidTransition(machine="webhook_delivery", action="redeliver",
                             current_status=current.value)


def _owned(ctx: Ctx, owner: Owner, delivery_id: str
           ) -> tuple[WebhookDelivery, WebhookEvent, WebhookEndpoint]:
    try:
        public_id = uuid.UUID(delivery_id)
    except ValueError:
        raise WebhookDeliveryNotFound() from None
    row = ctx.session.execute(
        select(WebhookDelivery, WebhookEvent, WebhookEndpoint)
        .join(WebhookEvent, WebhookEvent.id == WebhookDelivery.event_pk)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_pk)
        .where(WebhookDelivery.public_id == public_id, owner.owns(),
               WebhookEndpoint.deleted_at.is_(None))
    ).first()
    if row is None:
        raise WebhookDeliveryNotFound()
    found, event, target = row
    return found, event, target


def _attempts(ctx: Ctx, delivery_pks: Sequence[int]) -> dict[int, list[WebhookAttempt]]:
    grouped: dict[int, list[WebhookAttempt]] = {}
    if not delivery_pks:
        return grouped
    for attempt in ctx.session.scalars(
            select(WebhookAttempt).where(WebhookAttempt.delivery_pk.in_(delivery_pks))
            .order_by(WebhookAttempt.delivery_pk, WebhookAttempt.number)):
        grouped.setdefault(attempt.delivery_pk, []).append(attempt)
    return grouped


def _out(row: WebhookDelivery, event: WebhookEvent, target: WebhookEndpoint,
         attempts: Sequence[WebhookAttempt]) -> DeliveryOut:
    return DeliveryOut(
        id=str(row.public_id), endpoint_id=str(target.public_id), event_id=str(event.public_id),
        event_type=event.type, status=row.status, attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if row.status == DeliveryStatus.PENDING else None,
        last_status_code=row.last_status_code, last_error=row.last_error,
        created_at=row.created_at, finished_at=row.finished_at,
        log=[AttemptOut(number=a.number, at=a.at, succeeded=a.succeeded,
                        status_code=a.status_code, duration_ms=a.duration_ms, error=a.error,
                        response_excerpt=a.response_excerpt) for a in attempts])
