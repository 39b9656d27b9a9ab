"""GET /dispatch-orders/{no}/tracking: for its shop and its supplier, 404 for anyone else."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from daifa.kit.clock import FrozenClock
from daifa.worker import Worker
from tests import factories
from tests.api.support import assert_problem, ok
from tests.tracking.helpers import event, post_events, shipped_order


def test_shop_and_supplier_see_the_parcels_with_their_events(client: TestClient,
                                                             worker: Worker,
                                                             clock: FrozenClock) -> None:
    shipped = shipped_order(client, [("SF", "SF1000000000001"), ("YTO", "YT1000000000001")])
    ok(post_events(client, [
        event("SF1000000000001", "已签收", clock.now() + timedelta(hours=3)),
        event("SF1000000000001", "collected", clock.now()),
    ]), 202)
    worker.run_due_jobs()
    path = f"/api/v1/dispatch-orders/{shipped.no}/tracking"
    for headers in (shipped.w.headers, shipped.w.suppliers[0].owner.headers):
        tracking = ok(client.get(path, headers=headers))
        assert tracking["dispatch_order_no"] == shipped.no
        assert tracking["status"] == "shipped"
        sf, yto = tracking["parcels"]
        assert (sf["carrier"], sf["carrier_name"], sf["status"], sf["status_label"]) == (
            "SF", "顺丰", "delivered", "已签收")
        assert [e["status"] for e in sf["events"]] == ["collected", "delivered"]  # by time
        assert sf["delivered_at"] is not None
        assert (yto["carrier"], yto["status"], yto["status_label"], yto["events"]) == (
            "YTO", None, None, [])


def test_strangers_get_404_like_a_missing_order(client: TestClient) -> None:
    shipped = shipped_order(client, [("SF", "SF1000000000001")])
    stranger = factories.person(client)
    factories.shop(client, stranger)
    foreign = client.get(f"/api/v1/dispatch-orders/{shipped.no}/tracking",
                         headers=stranger.headers)
    missing = client.get("/api/v1/dispatch-orders/DO00000000000000/tracking",
                         headers=stranger.headers)
    body = assert_problem(foreign, 404, "DISPATCH_ORDER_NOT_FOUND")
    assert body["detail"] == assert_problem(missing, 404, "DISPATCH_ORDER_NOT_FOUND")["detail"]
    assert_problem(client.get(f"/api/v1/dispatch-orders/{shipped.no}/tracking"), 401,
                   "UNAUTHENTICATED")
