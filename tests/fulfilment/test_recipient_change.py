"""Correcting a shop order's recipient: checked like ordering, refused once anything left, the
suppliers told (timeline, webhook without buyer data), an address-problem hold released, and the
record masked."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from daifa.config import Settings
from tests.api.support import assert_problem, ok
from tests.fulfilment.helpers import Routed, act, db_events, routed, ship, timeline_types
from tests.fulfilment.test_events import events
from tests.webhooks.helpers import register

URL = "http://127.0.0.1:9/hooks"
NEW_ADDRESS = {"province": "广东省", "city": "深圳市", "district": "南山区",
               "detail": "科技园南区 8 栋 1203"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True})


def patch(r: Routed, order_id: str, **body: Any) -> httpx.Response:
    return r.client.patch(r.w.url(f"/orders/{order_id}/recipient"), json=body,
                          headers=r.w.headers)


def test_recipient_corrected_before_shipping(client: TestClient) -> None:
    r = routed(client)
    register(client, r.first.owner, URL, org="suppliers", org_id=r.first.supplier_id)
    accepted = r.accepted("R-1", ("TEE-RED", 1))
    order_id, no = accepted["order_id"], accepted["dispatch_order_no"]
    order = ok(patch(r, order_id, name="李四", phone="138 0013 8000", address=NEW_ADDRESS))
    assert order["buyer"] == {"name": "李四", "phone": "+8613800138000",
                              "address": NEW_ADDRESS}
    assert order["status"] == "assigned"
    [changed] = [e for e in order["timeline"] if e["type"] == "shop_order.recipient_changed"]
    assert changed["data"]["changed"] == {
        "name": {"from": "张*", "to": "李*"},
        "phone": {"from": "139****5678", "to": "138****8000"},
        "address": {"from": "浙江省 杭州市 西湖区 文***", "to": "广东省 深圳市 南山区 科***"}}
    # the supplier sees the new region, masked, and is told what changed
    seen = r.get(no, r.first)
    assert seen["recipient"] == {"region": "广东省 深圳市 南山区", "name_masked": "李*",
                                 "phone_masked": "138****8000"}
    assert ("dispatch_order.recipient_changed", "accepted") in timeline_types(
        client, r.first, no)
    [(_, data)] = [e for e in events(client, supplier=r.first.supplier_id)
                      if e[0] == "dispatch_order.recipient_changed"]
    assert data["changed"] == ["name", "phone", "address"]
    assert data["region"] == "广东省 深圳市 南山区"
    assert "李四" not in str(data) and "13800138000" not in str(data)
    # nothing of the buyer in clear in any record of the change
    for event in db_events(client, order_id) + db_events(client, no):
        text = str(event.data)
        assert "李四" not in text and "13800138000" not in text and "科技园" not in text


def test_recipient_change_releases_an_address_problem_hold(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted("R-2")["dispatch_order_no"]
    ok(act(client, r.first, no, "hold", {"reason": "address_problem"}))
    assert_problem(ship(client, r.first, no, "SF", "SF1234567890123"), 409,
                   "DISPATCH_ORDER_ON_HOLD")
    ok(patch(r, r.get(no)["order_id"], address=NEW_ADDRESS))
    assert r.get(no)["hold_reason"] is None
    types = [t for t, _ in timeline_types(client, r.first, no)]
    assert types[-2:] == ["dispatch_order.release_hold", "dispatch_order.recipient_changed"]
    assert ok(ship(client, r.first, no, "SF", "SF1234567890123"))["status"] == "shipped"


def test_other_holds_stay(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted("R-3")["dispatch_order_no"]
    ok(act(client, r.w, no, "hold", {"reason": "awaiting_payment"}))
    ok(patch(r, r.get(no)["order_id"], name="王五"))
    assert r.get(no)["hold_reason"] == "awaiting_payment"


def test_recipient_change_refused_once_anything_shipped(client: TestClient) -> None:
    r = routed(client)
    accepted = r.accepted("R-4", ("TEE-RED", 2))
    no, line = accepted["dispatch_order_no"], accepted["lines"][0]["line_id"]
    ok(ship(client, r.first, no, "SF", "SF1234567890123", [(line, 1)]))
    before = r.shop_order(accepted["order_id"])
    body = assert_problem(patch(r, accepted["order_id"], name="李四"), 409, "ALREADY_SHIPPED")
    assert body["line_id"] == line
    assert r.shop_order(accepted["order_id"]) == before


def test_recipient_checked_like_an_order(client: TestClient) -> None:
    r = routed(client)
    order_id = r.order("R-5")["order_id"]
    before = r.shop_order(order_id)
    assert_problem(patch(r, order_id, phone="12345"), 422, "VALIDATION_FAILED")
    assert_problem(patch(r, order_id, name=""), 422, "VALIDATION_FAILED")
    assert_problem(patch(r, order_id, address={"province": "广东省"}), 422, "VALIDATION_FAILED")
    assert_problem(patch(r, order_id), 422, "VALIDATION_FAILED")
    assert r.shop_order(order_id) == before
    # the same recipient again changes nothing and records nothing
    same = ok(patch(r, order_id, name="张三"))
    assert same["timeline"] == before["timeline"]


def test_a_waiting_order_can_be_corrected_too(client: TestClient) -> None:
    r = routed(client)
    r.w.settings("manual")
    order_id = r.order("R-6")["order_id"]
    assert ok(patch(r, order_id, phone="+852 5123 4567"))["buyer"]["phone"] == "+85251234567"
