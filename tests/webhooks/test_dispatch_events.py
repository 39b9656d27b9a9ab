"""Dispatch-order transitions reach the shop's and the supplier's endpoints, and what the
supplier receives never carries the shop's sale prices or the buyer's name, phone or address."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from daifa.kit.clock import FrozenClock
from daifa.worker import SWEEPS, Worker
from tests.api.support import ok
from tests.orders.helpers import order_body, world
from tests.tracking.helpers import event, post_events, shipped_order
from tests.webhooks.helpers import register
from tests.webhooks.receiver import Receiver

BUYER = ("张三", "13912345678", "文三路 90 号")


def _types(hook: Receiver, path: str) -> list[str]:
    return [json.loads(r.body)["type"] for r in hook.received if r.path == path]


def _everything_in(bodies: list[dict[str, Any]]) -> str:
    return json.dumps(bodies, ensure_ascii=False)


def test_both_sides_hear_every_move_and_the_supplier_no_secrets(
        client: TestClient, hook: Receiver, worker: Worker, clock: FrozenClock) -> None:
    w = world(client, suppliers=1)
    supplier = w.suppliers[0]
    w.settings("whole_store", default_supplier_id=supplier.supplier_id)
    register(client, w.merchant, hook.url + "/shop", org_id=w.shop_id)
    register(client, supplier.owner, hook.url + "/supplier", org="suppliers",
             org_id=supplier.supplier_id, event_types=["dispatch_order.*"])
    created = w.order(order_body("W-1", ("TEE-RED", 1)))
    no = created["dispatch_orders"][0]["dispatch_order_no"]
    base = f"/api/v1/dispatch-orders/{no}"
    ok(client.post(f"{base}/accept", headers=supplier.owner.headers))
    ok(client.post(f"{base}/ship", json={"carrier": "SF", "tracking_no": "SF1000000000009"},
                   headers=supplier.owner.headers))
    ok(post_events(client, [event("SF1000000000009", "delivered", clock.now())]), 202)
    worker.run_due_jobs()  # the tracking job delivers the order ...
    worker.run_due_jobs()  # ... and its webhook goes out
    expected = ["dispatch_order.created", "dispatch_order.accepted", "dispatch_order.shipped",
                "dispatch_order.delivered"]
    assert _types(hook, "/hooks/supplier") == expected
    assert [t for t in _types(hook, "/hooks/shop") if t.startswith("dispatch_order.")] \
        == expected
    supplier_bodies = [json.loads(r.body) for r in hook.received
                       if r.path == "/hooks/supplier"]
    text = _everything_in(supplier_bodies)
    for secret in (*BUYER, "unit_price_fen", "5900"):
        assert secret not in text, secret
    assert all(b["data"]["dispatch_order_no"] == no for b in supplier_bodies)


def test_the_order_completing_is_an_event_too(client: TestClient, hook: Receiver,
                                              worker: Worker, clock: FrozenClock) -> None:
    worker.sweeps = dict(SWEEPS)  # this one needs the completion sweep
    shipped = shipped_order(client, [("SF", "SF1000000000001")])
    register(client, shipped.w.merchant, hook.url, org_id=shipped.w.shop_id,
             event_types=["dispatch_order.delivered", "dispatch_order.completed"])
    ok(post_events(client, [event("SF1000000000001", "已签收", clock.now())]), 202)
    worker.run_due_jobs()
    clock.advance(timedelta(days=7))
    worker.run_sweeps()
    worker.run_due_jobs()
    assert [json.loads(r.body)["type"] for r in hook.received] == [
        "dispatch_order.delivered", "dispatch_order.completed"]
