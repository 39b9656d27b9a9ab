"""Fulfilment test steps through the public API: a routed world, dispatch-order actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.audit.models import AuditEvent
from tests.api.support import ok
from tests.orders.helpers import Supplier, World, order_body, world

__all__ = ["Routed", "Supplier", "World", "act", "order_body", "routed", "timeline_types"]


@dataclass
class Routed:
    """A shop whose TEE product goes to suppliers[0] with the others as backups, in order."""

    w: World
    client: TestClient

    @property
    def first(self) -> Supplier:
        return self.w.suppliers[0]

    def supplier(self, no: str) -> Supplier:
        order = ok(self.client.get(f"/api/v1/dispatch-orders/{no}", headers=self.w.headers))
        return next(s for s in self.w.suppliers if s.supplier_id == order["supplier_id"])

    def order(self, external_id: str, *lines: tuple[str, int], **extra: Any) -> dict[str, Any]:
        return self.w.order(order_body(external_id, *(lines or (("TEE-RED", 2),)), **extra))

    def dispatch(self, external_id: str = "F-1", *lines: tuple[str, int],
                 **extra: Any) -> dict[str, Any]:
        """A new shop order's only dispatch order."""
        created = self.order(external_id, *lines, **extra)
        [dispatch] = created["dispatch_orders"]
        return dispatch  # type: ignore[no-any-return]

    def accepted(self, external_id: str = "F-1", *lines: tuple[str, int]) -> dict[str, Any]:
        dispatch = self.dispatch(external_id, *lines)
        return ok(act(self.client, self.first, dispatch["dispatch_order_no"], "accept"))  # type: ignore[no-any-return]

    def shop_order(self, order_id: str) -> dict[str, Any]:
        return ok(self.client.get(self.w.url(f"/orders/{order_id}"),  # type: ignore[no-any-return]
                                  headers=self.w.headers))

    def get(self, no: str, who: Any = None) -> dict[str, Any]:
        headers = who.owner.headers if isinstance(who, Supplier) else self.w.headers
        return ok(self.client.get(f"/api/v1/dispatch-orders/{no}",  # type: ignore[no-any-return]
                                  headers=headers))


def routed(client: TestClient, suppliers: int = 2, *, stock: int | None = None) -> Routed:
    w = world(client, suppliers=suppliers, stock=stock)
    w.settings("by_product")
    w.rule("products", "TEE", *w.suppliers)
    w.rule("products", "MUG", *w.suppliers)
    return Routed(w, client)


def act(client: TestClient, who: Any, no: str, action: str, body: Any = None,
        **kwargs: Any) -> httpx.Response:
    """POST /dispatch-orders/{no}/{action} as a Supplier (its owner) or a World (the merchant)."""
    headers = who.owner.headers if isinstance(who, Supplier) else who.headers
    return client.post(f"/api/v1/dispatch-orders/{no}/{action}", json=body, headers=headers,
                       **kwargs)


def ship(client: TestClient, who: Supplier, no: str, carrier: str, tracking_no: str,
         lines: list[tuple[int, int]] | None = None, **headers: str) -> httpx.Response:
    body: dict[str, Any] = {"carrier": carrier, "tracking_no": tracking_no}
    if lines is not None:
        body["lines"] = [{"line_id": line_id, "quantity": q} for line_id, q in lines]
    return client.post(f"/api/v1/dispatch-orders/{no}/ship", json=body,
                       headers={**who.owner.headers, **headers})


def timeline_types(client: TestClient, who: Any, no: str) -> list[tuple[str, str | None]]:
    headers = who.owner.headers if isinstance(who, Supplier) else who.headers
    items = ok(client.get(f"/api/v1/dispatch-orders/{no}/timeline", headers=headers))["items"]
    return [(item["type"], item["to_status"]) for item in items]


def db_events(client: TestClient, subject_id: str) -> list[AuditEvent]:
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.subject_id == subject_id).order_by(AuditEvent.id)))
