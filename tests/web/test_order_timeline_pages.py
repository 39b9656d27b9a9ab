"""The order's story in the console: the shop's order page tells it in words, with roles and
never the supplier's login; the supplier's dispatch-order page tells its own part; looks at the
recipient are folded into one row per actor and day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests.api.support import ok
from tests.fulfilment.helpers import act, ship
from tests.orders.helpers import World, order_body, world
from tests.tracking.helpers import event, post_events
from tests.web.conftest import Visitor, text_of

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.worker import Worker

PARCEL = "SF1000000000001"


@pytest.fixture
def worker(settings: Settings, db: Database, clock: FrozenClock) -> Worker:
    return Worker(settings=settings, db=db, clock=clock, name="test-worker")


def _story(page_text: str) -> str:
    return page_text.split('data-testid="story"', 1)[1].split("</ol>", 1)[0]


def _delivered(api: TestClient, clock: FrozenClock, worker: Worker) -> tuple[World, str, str]:
    """TEE to the first supplier, MUG to the second; the first accepts, looks at the recipient
    three times, ships, and the parcel is delivered."""
    w = world(api)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a)
    w.rule("products", "MUG", b)
    order = w.order(order_body("WT-1", ("TEE-RED", 1), ("MUG-1", 1)))
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    clock.advance(timedelta(minutes=1))
    ok(act(api, a, no, "accept"))
    for purpose in ("label", "label", "contact"):
        ok(api.get(f"/api/v1/dispatch-orders/{no}/recipient", params={"purpose": purpose},
                   headers=a.owner.headers))
    clock.advance(timedelta(minutes=1))
    ok(ship(api, a, no, "SF", PARCEL))
    ok(post_events(api, [event(PARCEL, "delivered", clock.now() + timedelta(hours=3),
                               description="已签收，感谢使用")]), 202)
    clock.advance(timedelta(hours=4))
    worker.run_due_jobs()
    return w, order["order_id"], no


def test_the_shop_reads_the_story_in_words(api: TestClient, clock: FrozenClock, worker: Worker,
                                           console_for: Callable[[str], Visitor]) -> None:
    w, order_id, _ = _delivered(api, clock, worker)
    page = console_for(w.merchant.login).get(f"/shops/{w.shop_id}/orders/{order_id}")
    assert page.status_code == 200
    story = _story(page.text)
    text = " ".join(text_of(page).split())
    for words in ("商家 收到订单", "供货商 接单", "供货商 全部发货", "系统 已签收",
                  "包裹 顺丰 SF1000000000001：已签收", "已签收，感谢使用",
                  "TEE-RED × 1: 商品规则的首选供货商。"):
        assert words in text, words
    assert story.count('data-type="dispatch_order.recipient_revealed"') == 1
    assert "当天共 3 次" in text
    assert "dispatch_order.accept" not in text  # codes stay in attributes only
    assert w.suppliers[0].owner.login not in page.text
    english = console_for(w.merchant.login)
    english.get("/locale/en")
    text = text_of(english.get(f"/shops/{w.shop_id}/orders/{order_id}"))
    assert "Supplier Accepted" in text and "Merchant Order received" in text
    assert "System Delivered" in text


def test_the_supplier_page_tells_only_its_part(api: TestClient, clock: FrozenClock,
                                               worker: Worker,
                                               console_for: Callable[[str], Visitor]) -> None:
    w, _order_id, no = _delivered(api, clock, worker)
    a, b = w.suppliers
    page = console_for(a.owner.login).get(f"/suppliers/{a.supplier_id}/dispatch-orders/{no}")
    assert page.status_code == 200
    story = _story(page.text)
    text = text_of(page)
    assert "商家" in story and "供货商 接单" in text and "系统 已签收" in text
    assert story.count('data-type="dispatch_order.recipient_revealed"') == 1
    assert w.merchant.login not in page.text
    assert b.supplier_id not in story and 'data-type="shop_order.' not in story
