"""The console's tracking page of a dispatch order: parcels and events for its shop and its
supplier, the parcels block alone for htmx, 404 for anyone else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from daifa.kit.clock import FrozenClock
from daifa.worker import Worker
from tests import factories
from tests.api.support import ok
from tests.tracking.helpers import event, post_events, shipped_order
from tests.web.conftest import Visitor, text_of


def test_shop_and_supplier_see_the_parcels(client: TestClient, worker: Worker,
                                           clock: FrozenClock,
                                           console_for: Callable[[str], Visitor]) -> None:
    shipped = shipped_order(client, [("SF", "SF1000000000001")])
    ok(post_events(client, [
        event("SF1000000000001", "collected", clock.now(), description="【杭州】已揽收"),
        event("SF1000000000001", "in_transit", clock.now() + timedelta(hours=1)),
    ]), 202)
    worker.run_due_jobs()
    path = f"/dispatch-orders/{shipped.no}/tracking"
    for login in (shipped.w.merchant.login, shipped.w.suppliers[0].owner.login):
        page = console_for(login).get(path)
        assert page.status_code == 200
        text = text_of(page)
        assert "运输中" in text and "已揽收" in text and "【杭州】已揽收" in text
        assert text.index("运输中") < text.index("已揽收")  # newest first
    fragment = console_for(shipped.w.merchant.login).get(path, params={"fragment": "1"})
    assert 'data-testid="tracking"' in fragment.text and "<html" not in fragment.text


def test_strangers_get_a_404_page(client: TestClient,
                                  console_for: Callable[[str], Visitor]) -> None:
    shipped = shipped_order(client, [("SF", "SF1000000000001")])
    stranger = factories.person(client)
    page = console_for(stranger.login).get(f"/dispatch-orders/{shipped.no}/tracking")
    assert page.status_code == 404 and "DISPATCH_ORDER_NOT_FOUND" in page.text
