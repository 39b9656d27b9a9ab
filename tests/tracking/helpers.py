"""Tracking test steps: a shipped dispatch order, signed provider calls, running the worker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.config import Settings
from daifa.dispatch.models import DispatchOrder
from daifa.shipping.models import Shipment
from daifa.tracking import rules
from daifa.tracking.models import TrackingEventRow, TrackingRawEvent
from daifa.webhooks import signing
from tests.api.support import ok
from tests.orders.helpers import World, order_body, world


@dataclass
class Shipped:
    w: World
    order: dict[str, Any]  # the dispatch order as the shop first saw it

    @property
    def no(self) -> str:
        return str(self.order["dispatch_order_no"])


def ship(client: TestClient, w: World, dispatch: dict[str, Any],
         parcels: list[tuple[str, str]], *, complete: bool = True) -> None:
    """The supplier accepts and ships: one line per parcel, the last parcel takes everything
    left (unless ``complete`` is False: then only the first line ships)."""
    supplier = w.suppliers[0].owner.headers
    base = f"/api/v1/dispatch-orders/{dispatch['dispatch_order_no']}"
    ok(client.post(f"{base}/accept", headers=supplier))
    lines = dispatch["lines"]
    for index, (carrier, number) in enumerate(parcels):
        body: dict[str, Any] = {"carrier": carrier, "tracking_no": number}
        if not complete or index < len(parcels) - 1:
            line = lines[index % len(lines)]
            body["lines"] = [{"line_id": line["line_id"], "quantity": 1}]
        ok(client.post(f"{base}/ship", json=body, headers=supplier))


def shipped_order(client: TestClient, parcels: list[tuple[str, str]], *,
                  complete: bool = True, external_id: str = "T-1") -> Shipped:
    """A shop order routed to one supplier whose dispatch order shipped in ``parcels``."""
    w = world(client, suppliers=1)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    created = w.order(order_body(external_id, ("TEE-RED", 2), ("MUG-1", 1)))
    [dispatch] = created["dispatch_orders"]
    ship(client, w, dispatch, parcels, complete=complete)
    return Shipped(w, dispatch)


def event(number: str, status: str, at: datetime, *, carrier: str = "SF",
          event_id: str | None = None, description: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"carrier": carrier, "tracking_no": number, "status": status,
                            "occurred_at": at.isoformat()}
    if event_id is not None:
        body["event_id"] = event_id
    if description is not None:
        body["description"] = description
    return body


def provider_secret(settings: Settings, provider: str = "sandbox") -> str:
    return rules.provider_secret(provider, settings.tracking_webhook_secret,
                                 settings.resolved_secret_key())


def post_events(client: TestClient, events: list[dict[str, Any]], *, provider: str = "sandbox",
                secret: str | None = None, timestamp: int | None = None,
                body: bytes | None = None, tamper: bool = False) -> Any:
    """POST a signed provider call (signed now on the app's clock unless told otherwise)."""
    hub = client.app.state.hub  # type: ignore[attr-defined]
    raw = body if body is not None else json.dumps({"events": events},
                                                   ensure_ascii=False).encode()
    at = timestamp if timestamp is not None else int(hub.clock.now().timestamp())
    header = signing.sign(secret or provider_secret(hub.settings, provider), raw, at)
    sent = raw + b" " if tamper else raw
    return client.post(f"/api/v1/tracking/webhooks/{provider}", content=sent,
                       headers={"Daifa-Signature": header, "Content-Type": "application/json"})


def rows(client: TestClient, model: Any) -> list[Any]:
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        return list(session.scalars(select(model).order_by(model.id)).all())


def shipments(client: TestClient) -> list[Shipment]:
    return rows(client, Shipment)


def tracking_events(client: TestClient) -> list[TrackingEventRow]:
    return rows(client, TrackingEventRow)


def raw_events(client: TestClient) -> list[TrackingRawEvent]:
    return rows(client, TrackingRawEvent)


def dispatch_status(client: TestClient, no: str) -> str:
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        return str(session.scalar(select(DispatchOrder.status).where(
            DispatchOrder.dispatch_order_no == no)))
