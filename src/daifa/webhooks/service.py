"""Use cases: register and manage endpoints, emit events into the outbox, read the delivery
log, redeliver, ping.

``emit`` is what other domains call. It runs in the caller's transaction and writes one event
row, one delivery row per subscribed, enabled endpoint of the shop and/or supplier, and one job
per delivery, so an event leaves exactly when the change that caused it commits.

**Callers pass supplier-safe data.** When ``supplier_pk`` is given, the same payload goes to the
supplier's endpoints, so it must hold nothing a supplier may not see: no sale prices, no
unmasked buyer data (``rules.SHOP_ONLY_KEYS``). ``emit`` refuses such a payload with
``UnsafeSupplierPayload`` (a programming error, never a user's).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, bindparam, func, or_, select

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier
from daifa.webhooks import delivery, rules
from daifa.webhooks.errors import (
    TooManyWebhookEndpoints,
    WebhookEndpointDisabled,
    WebhookEndpointNotFound,
)
from daifa.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from daifa.webhooks.schemas import (
    EndpointCreated,
    EndpointIn,
    EndpointOut,
    EndpointPatch,
    SecretRotated,
)
from daifa.webhooks.states import DeliveryStatus

MAX_ENDPOINTS = 20


@dataclass(frozen=True)
class Owner:
    """The shop or supplier an endpoint belongs to."""

    kind: Literal["shop", "supplier"]
    pk: int
    public_id: str

    @classmethod
    def of(cls, org: Shop | Supplier) -> Owner:
        if isinstance(org, Shop):
            return cls("shop", org.id, org.shop_id)
        return cls("supplier", org.id, org.supplier_id)

    def owns(self) -> ColumnElement[bool]:
        column = WebhookEndpoint.shop_pk if self.kind == "shop" else WebhookEndpoint.supplier_pk
        return column == self.pk


@dataclass(frozen=True)
class Emission:
    """One event for ``emit_many``."""

    event_type: str
    payload: dict[str, Any]
    shop_pk: int | None = None
    supplier_pk: int | None = None


# --- endpoints -----------------------------------------------------------------------------

def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def register(ctx: Ctx, owner: Owner, data: EndpointIn) -> EndpointCreated:
    url = rules.check_url(data.url, allow_private=ctx.settings.webhook_allow_private)
    patterns = rules.check_event_patterns(data.event_types)
    count = ctx.session.scalar(select(func.count()).select_from(WebhookEndpoint).where(
        owner.owns(), WebhookEndpoint.deleted_at.is_(None)))
    if (count or 0) >= MAX_ENDPOINTS:
        raise TooManyWebhookEndpoints(limit=MAX_ENDPOINTS)
    now = ctx.now()
    endpoint = WebhookEndpoint(
        public_id=uuid.uuid4(), url=url, description=(data.description or "").strip(),
        event_types=patterns, enabled=data.enabled, secret=data.secret or new_secret(),
        created_at=now, updated_at=now,
        shop_pk=owner.pk if owner.kind == "shop" else None,
        supplier_pk=owner.pk if owner.kind == "supplier" else None)
    ctx.session.add(endpoint)
    ctx.session.flush()
    _audit(ctx, owner, endpoint, "created", url=url, event_types=patterns)
    return EndpointCreated(**to_out(endpoint).model_dump(), secret=endpoint.secret)


def endpoints(ctx: Ctx, owner: Owner) -> list[EndpointOut]:
    rows = ctx.session.scalars(select(WebhookEndpoint).where(
        owner.owns(), WebhookEndpoint.deleted_at.is_(None)).order_by(WebhookEndpoint.id))
    return [to_out(row) for row in rows]


def endpoint(ctx: Ctx, owner: Owner, endpoint_id: str) -> WebhookEndpoint:
    """The owner's endpoint; unknown, malformed, deleted and other owners' ones are all 404."""
    try:
        public_id = uuid.UUID(endpoint_id)
    except ValueError:
        raise WebhookEndpointNotFound() from None
    found = ctx.session.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.public_id == public_id, owner.owns(),
        WebhookEndpoint.deleted_at.is_(None)))
    if found is None:
        raise WebhookEndpointNotFound()
    return found


def update(ctx: Ctx, owner: Owner, endpoint_id: str, patch: EndpointPatch) -> EndpointOut:
    found = endpoint(ctx, owner, endpoint_id)
    changes: dict[str, Any] = {}
    if patch.url is not None:
        changes["url"] = rules.check_url(patch.url,
                                         allow_private=ctx.settings.webhook_allow_private)
    if patch.event_types is not None:
        changes["event_types"] = rules.check_event_patterns(patch.event_types)
    if patch.description is not None:
        changes["description"] = patch.description.strip()
    if patch.enabled is not None:
        changes["enabled"] = patch.enabled
    changes = {key: value for key, value in changes.items() if getattr(found, key) != value}
    if changes:
        for key, value in changes.items():
            setattr(found, key, value)
        found.updated_at = ctx.now()
        _audit(ctx, owner, found, "updated", **changes)
    return to_out(found)


def rotate_secret(ctx: Ctx, owner: Owner, endpoint_id: str) -> SecretRotated:
    """A new secret; the old one keeps signing beside it for 24 h, so receivers can switch."""
    found = endpoint(ctx, owner, endpoint_id)
    now = ctx.now()
    found.previous_secret = found.secret
    found.previous_secret_until = now + delivery.ROTATION_OVERLAP
    found.secret = new_secret()
    found.updated_at = now
    _audit(ctx, owner, found, "secret_rotated")
    return SecretRotated(id=str(found.public_id), secret=found.secret,
                         previous_secret_valid_until=found.previous_secret_until)


def delete(ctx: Ctx, owner: Owner, endpoint_id: str) -> None:
    """Gone for its owner; its delivery log stays in the database, pending ones fail."""
    found = endpoint(ctx, owner, endpoint_id)
    found.deleted_at = ctx.now()
    found.enabled = False
    _audit(ctx, owner, found, "deleted")


def to_out(row: WebhookEndpoint) -> EndpointOut:
    return EndpointOut(
        id=str(row.public_id), url=row.url, event_types=list(row.event_types),
        description=row.description, enabled=row.enabled,
        secret_hint=rules.secret_hint(row.secret),
        previous_secret_valid_until=row.previous_secret_until if row.previous_secret else None,
        created_at=row.created_at, updated_at=row.updated_at)


def _audit(ctx: Ctx, owner: Owner, row: WebhookEndpoint, action: str, **data: Any) -> None:
    ctx.memo.pop(_MEMO, None)  # an endpoint changed: who listens is asked again
    audit.record(ctx, "webhook_endpoint", row.public_id, f"webhook_endpoint.{action}",
                 data={"owner": owner.public_id, **data})


# --- the outbox ----------------------------------------------------------------------------

def emit(ctx: Ctx, *, shop_pk: int | None, supplier_pk: int | None, event_type: str,
         payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue ``event_type`` for every enabled endpoint of the shop and/or the supplier that
    subscribed to it, in the caller's transaction. ``payload`` becomes the body's ``data`` and
    must be supplier-safe when ``supplier_pk`` is given (see the module doc)."""
    return emit_many(ctx, [Emission(event_type, payload, shop_pk, supplier_pk)])


def emit_many(ctx: Ctx, emissions: Sequence[Emission]) -> list[WebhookDelivery]:
    """``emit`` for many events at once: one query for the endpoints of every owner named."""
    for item in emissions:
        if item.supplier_pk is not None:
            rules.require_supplier_safe(item.payload)
    found = listeners(ctx, {e.shop_pk for e in emissions} - {None},
                      {e.supplier_pk for e in emissions} - {None})
    if not found:
        return []
    batch = [(item, [row for row in found
                     if ((row.shop_pk is not None and row.shop_pk == item.shop_pk)
                         or (row.supplier_pk is not None and row.supplier_pk == item.supplier_pk))
                     and rules.wants(row.event_types, item.event_type)])
             for item in emissions]
    return _write(ctx, [(item, targets) for item, targets in batch if targets])


# Built once (emitting runs it in every transaction that changes a dispatch order); an empty
# list matches nothing.
_LISTENERS = (select(WebhookEndpoint)
              .where(or_(WebhookEndpoint.shop_pk.in_(bindparam("shops", expanding=True)),
                         WebhookEndpoint.supplier_pk.in_(bindparam("suppliers", expanding=True))),
                     WebhookEndpoint.enabled.is_(True), WebhookEndpoint.deleted_at.is_(None))
              .order_by(WebhookEndpoint.id))


_MEMO = "webhooks.listeners"


def listeners(ctx: Ctx, shop_pks: Iterable[int | None],
               supplier_pks: Iterable[int | None]) -> list[WebhookEndpoint]:
    """The enabled endpoints of these owners. Several reactions of one unit of work emit for
    the same owners (a dispatch order created, then accepted at once): each owner is asked for
    once per unit of work."""
    known: dict[tuple[str, int], list[WebhookEndpoint]] = ctx.memo.setdefault(_MEMO, {})
    wanted = [("shop", pk) for pk in sorted({pk for pk in shop_pks if pk is not None})]
    wanted += [("supplier", pk) for pk in sorted({pk for pk in supplier_pks if pk is not None})]
    missing = [key for key in wanted if key not in known]
    if missing:
        for key in missing:
            known[key] = []
        shops = [pk for kind, pk in missing if kind == "shop"]
        suppliers = [pk for kind, pk in missing if kind == "supplier"]
        fresh = set(missing)
        for row in ctx.session.scalars(_LISTENERS, {"shops": shops, "suppliers": suppliers}):
            for kind, pk in (("shop", row.shop_pk), ("supplier", row.supplier_pk)):
                if pk is not None and (kind, pk) in fresh:
                    known[kind, pk].append(row)
    found = {row.id: row for key in wanted for row in known[key]}
    return [found[pk] for pk in sorted(found)]


def _write(ctx: Ctx, batch: Sequence[tuple[Emission, Sequence[WebhookEndpoint]]]
           ) -> list[WebhookDelivery]:
    """One event row per emission and one delivery and job per target, in three flushes."""
    if not batch:
        return []
    now = ctx.now()
    events = []
    for item, _ in batch:
        event_id = uuid.uuid4()
        events.append(WebhookEvent(
            public_id=event_id, type=item.event_type, shop_pk=item.shop_pk,
            supplier_pk=item.supplier_pk, created_at=now,
            body=rules.envelope(str(event_id), item.event_type, now, item.payload).decode()))
    ctx.session.add_all(events)
    ctx.session.flush()
    made = [WebhookDelivery(public_id=uuid.uuid4(), event_pk=event.id, endpoint_pk=target.id,
                            status=DeliveryStatus.PENDING, attempts=0, failures=0,
                            next_attempt_at=now, created_at=now)
            for event, (_, targets) in zip(events, batch, strict=True) for target in targets]
    ctx.session.add_all(made)
    ctx.session.flush()
    for row in made:
        delivery.queue(ctx, row.id, now)
    return made


def ping(ctx: Ctx, owner: Owner, endpoint_id: str) -> WebhookDelivery:
    """Queue a ``ping`` event to this one endpoint, whatever it subscribed to."""
    found = endpoint(ctx, owner, endpoint_id)
    if not found.enabled:
        raise WebhookEndpointDisabled()
    data = {"endpoint_id": str(found.public_id), "owner": owner.public_id,
            "message": "daifa webhook test"}
    item = Emission(rules.PING, data, owner.pk if owner.kind == "shop" else None,
                    owner.pk if owner.kind == "supplier" else None)
    return _write(ctx, [(item, [found])])[0]
