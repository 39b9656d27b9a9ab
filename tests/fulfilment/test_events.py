"""Webhook events of the lifecycle, read from the outbox: both sides hear every move; where the
shop may learn more than the supplier (who took a rejected or reassigned order), it gets its
own event and the supplier's says nothing of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.config import Settings
from daifa.webhooks.models import WebhookEvent
from tests.api.support import ok
from tests.fulfilment.helpers import Routed, act, routed, ship
from tests.fulfilment.test_upload import csv_bytes, upload
from tests.webhooks.helpers import register, shop_pk, supplier_pk

URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True})


def listening(client: TestClient, suppliers: int = 2) -> Routed:
    r = routed(client, suppliers=suppliers)
    register(client, r.w.merchant, URL, org_id=r.w.shop_id)
    for supplier in r.w.suppliers:
        register(client, supplier.owner, URL, org="suppliers", org_id=supplier.supplier_id)
    return r


def events(client: TestClient, *, shop: str | None = None,
           supplier: str | None = None) -> list[tuple[str, dict[str, Any]]]:
    hub = client.app.state.hub  # type: ignore[attr-defined]
    query = select(WebhookEvent).order_by(WebhookEvent.id)
    if shop is not None:
        query = query.where(WebhookEvent.shop_pk == shop_pk(client, shop))
    if supplier is not None:
        query = query.where(WebhookEvent.supplier_pk == supplier_pk(client, supplier))
    with hub.db.unit_of_work() as session:
        return [(row.type, json.loads(row.body)["data"]) for row in session.scalars(query)]


def test_a_rejection_tells_the_shop_where_the_order_went(client: TestClient) -> None:
    r = listening(client)
    first, backup = r.w.suppliers
    no = r.dispatch("E-1")["dispatch_order_no"]
    ok(act(client, first, no, "reject", {"reason": "price_changed"}))
    shop = [data for kind, data in events(client, shop=r.w.shop_id)
            if kind == "dispatch_order.rejected"]
    [seen] = shop
    [moved] = seen["rerouted_to"]
    assert (seen["dispatch_order_no"], seen["reason"]) == (no, "price_changed")
    assert moved["supplier_id"] == backup.supplier_id
    mine = events(client, supplier=first.supplier_id)
    assert [kind for kind, _ in mine] == ["dispatch_order.created", "dispatch_order.rejected"]
    assert backup.supplier_id not in json.dumps(mine)
    assert moved["dispatch_order_no"] not in json.dumps(mine)
    theirs = events(client, supplier=backup.supplier_id)
    assert [(kind, data["dispatch_order_no"]) for kind, data in theirs] == [
        ("dispatch_order.created", moved["dispatch_order_no"])]


def test_reassignment_is_announced_without_naming_the_new_supplier_to_the_old(
        client: TestClient) -> None:
    r = listening(client)
    first, other = r.w.suppliers
    no = r.dispatch("E-2")["dispatch_order_no"]
    ok(client.post(r.w.url(f"/dispatch-orders/{no}/reassign"),
                   json={"supplier_id": other.supplier_id}, headers=r.w.headers))
    old_side = events(client, supplier=first.supplier_id)
    assert [kind for kind, _ in old_side][-1] == "dispatch_order.reassigned"
    assert other.supplier_id not in json.dumps(old_side)
    shop_side = [data for kind, data in events(client, shop=r.w.shop_id)
                 if kind == "dispatch_order.reassigned"]
    assert shop_side[0]["reassigned_to"]["supplier_id"] == other.supplier_id


def test_every_move_is_an_event(client: TestClient) -> None:
    r = listening(client, suppliers=1)
    no = r.accepted("E-3")["dispatch_order_no"]
    ok(act(client, r.w, no, "hold", {"reason": "address_problem"}))
    ok(act(client, r.w, no, "hold/release"))
    ok(act(client, r.w, no, "cancel", {"reason": "buyer cancelled"}))
    ok(act(client, r.first, no, "cancel/reject"))
    parcel = ok(ship(client, r.first, no, "SF", "SF1234567890123"))["shipments"][0]
    ok(client.patch(f"/api/v1/dispatch-orders/{no}/shipments/{parcel['shipment_id']}",
                    json={"tracking_no": "SF1234567890124"}, headers=r.first.owner.headers))
    kinds = [kind for kind, data in events(client, supplier=r.first.supplier_id)
             if data["dispatch_order_no"] == no]
    assert kinds == ["dispatch_order.created", "dispatch_order.accepted", "dispatch_order.held",
                     "dispatch_order.hold_released", "dispatch_order.cancel_requested",
                     "dispatch_order.cancel_refused", "dispatch_order.shipped",
                     "dispatch_order.tracking_corrected"]
    assert kinds == [kind for kind, data in events(client, shop=r.w.shop_id)
                     if data["dispatch_order_no"] == no]


def test_a_spreadsheet_announces_each_dispatch_order_it_shipped(client: TestClient) -> None:
    r = listening(client, suppliers=1)
    one = r.accepted("E-4")["dispatch_order_no"]
    two = r.accepted("E-5", ("TEE-RED", 2))["dispatch_order_no"]
    rows = [[one, "SF", "SF2000000000001", "", ""],
            [two, "SF", "SF2000000000002", r.first.code("TEE-RED"), 1]]
    ok(upload(client, r, csv_bytes(rows, "utf-8"), "e.csv"))
    shipped = [(kind, data["dispatch_order_no"], data["shipments"][0]["tracking_no"])
               for kind, data in events(client, supplier=r.first.supplier_id)
               if "shipped" in kind]
    assert shipped == [("dispatch_order.shipped", one, "SF2000000000001"),
                       ("dispatch_order.partially_shipped", two, "SF2000000000002")]
