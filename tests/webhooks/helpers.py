"""Shared steps of the webhook tests: an organisation's row id, emitting as a domain would,
reading rows back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.context import Actor, Ctx
from daifa.fulfilment.reactions import REACTIONS
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier
from daifa.webhooks import service as webhooks
from daifa.webhooks.models import WebhookDelivery
from tests import factories
from tests.api.support import ok


def hub_ctx_run(client: TestClient, fn: Any) -> Any:
    """Run fn(ctx) in one committed unit of work as the system."""
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=hub.settings,
                  clock=hub.clock)
        return fn(ctx)


def shop_pk(client: TestClient, shop_id: str) -> int:
    return int(hub_ctx_run(client, lambda ctx: ctx.session.scalar(
        select(Shop.id).where(Shop.shop_id == shop_id))))


def supplier_pk(client: TestClient, supplier_id: str) -> int:
    return int(hub_ctx_run(client, lambda ctx: ctx.session.scalar(
        select(Supplier.id).where(Supplier.supplier_id == supplier_id))))


def emit(client: TestClient, event_type: str, payload: dict[str, Any], *,
         shop: int | None = None, supplier: int | None = None) -> list[str]:
    """Emit as a domain does, in its own transaction; the public ids of the deliveries."""
    def run(ctx: Ctx) -> list[str]:
        made = webhooks.emit(ctx, shop_pk=shop, supplier_pk=supplier, event_type=event_type,
                             payload=payload)
        return [str(row.public_id) for row in made]

    return list(hub_ctx_run(client, run))


def register(client: TestClient, owner: factories.Person, url: str, *, org: str = "shops",
             org_id: str, **body: Any) -> dict[str, Any]:
    created: dict[str, Any] = ok(client.post(f"/api/v1/{org}/{org_id}/webhooks",
                                             json={"url": url, **body},
                                             headers=owner.headers), 201)
    return created


def deliveries(client: TestClient, owner: factories.Person, org_id: str, endpoint_id: str,
               org: str = "shops") -> Sequence[dict[str, Any]]:
    page = ok(client.get(f"/api/v1/{org}/{org_id}/webhooks/{endpoint_id}/deliveries",
                         headers=owner.headers))
    items: list[dict[str, Any]] = page["items"]
    return items


def delivery_rows(client: TestClient) -> Sequence[WebhookDelivery]:
    return list(hub_ctx_run(client, lambda ctx: ctx.session.scalars(
        select(WebhookDelivery).order_by(WebhookDelivery.id)).all()))
