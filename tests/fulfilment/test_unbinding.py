"""Unbinding waits for the supplier's open dispatch orders; once all of a dispatch order has
shipped the parcels are the carrier's, and the shop may unbind."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from tests.api.support import assert_problem, ok
from tests.fulfilment.helpers import Routed, routed, ship


def _unbind(r: Routed, client: TestClient, supplier_id: str) -> httpx.Response:
    return client.delete(r.w.url(f"/bindings/{supplier_id}"), headers=r.w.headers)


def test_an_accepted_dispatch_order_blocks_unbinding(client: TestClient) -> None:
    r = routed(client)
    r.accepted()
    assert_problem(_unbind(r, client, r.first.supplier_id), 409, "OPEN_DISPATCH_ORDERS")


def test_a_cancel_request_blocks_unbinding(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted()["dispatch_order_no"]
    ok(client.post(f"/api/v1/dispatch-orders/{no}/cancel", json={"reason": "buyer left"},
                   headers=r.w.headers))
    assert r.get(no)["status"] == "cancel_requested"
    assert_problem(_unbind(r, client, r.first.supplier_id), 409, "OPEN_DISPATCH_ORDERS")


def test_a_shipped_dispatch_order_no_longer_blocks_unbinding(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted()["dispatch_order_no"]
    ok(ship(client, r.first, no, "SF", "SF1234567890123"))
    assert r.get(no)["status"] == "shipped"
    assert ok(_unbind(r, client, r.first.supplier_id))["status"] == "ended"
