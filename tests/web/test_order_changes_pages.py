"""The shop's order page: cancelling the whole order or chosen units with a reason, correcting
the recipient, statuses in words; in Chinese by default and in English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.fulfilment.helpers import act, routed, ship
from tests.orders.helpers import World
from tests.web.conftest import Visitor, text_of

Setup = tuple[World, Visitor, TestClient]


@pytest.fixture
def shop(api: TestClient, console_for: Callable[[str], Visitor]) -> Setup:
    r = routed(api)
    return r.w, console_for(r.w.merchant.login), api


def _order(w: World, order_id: str) -> dict[str, Any]:
    response = w.client.get(w.url(f"/orders/{order_id}"), headers=w.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _new(w: World, external_id: str, *lines: tuple[str, int]) -> dict[str, Any]:
    from tests.orders.helpers import order_body

    return w.order(order_body(external_id, *lines))


def test_cancel_chosen_units_then_the_whole_order(shop: Setup) -> None:
    w, console, _ = shop
    order = _new(w, "C-1", ("TEE-RED", 2), ("MUG-1", 1))
    path = f"/shops/{w.shop_id}/orders/{order['order_id']}"
    page = console.get(path)
    assert 'data-testid="cancel-units-form"' in page.text
    assert 'data-testid="cancel-qty-TEE-RED"' in page.text and 'max="2"' in page.text
    assert 'data-status="assigned" title="assigned">已分配</span>' in page.text  # in words
    lines = {line["sku_code"]: line["line_id"] for line in order["lines"]}
    done = console.submit(f"{path}/cancel", {
        "reason": "买家少要一件", "line_id": [str(lines["TEE-RED"]), str(lines["MUG-1"])],
        "quantity": ["1", "0"]}, csrf_from=path)
    assert done.status_code == 200
    assert 'data-testid="changes-success"' in done.text
    assert 'data-testid="cancelled-TEE-RED"' in done.text
    assert _order(w, order["order_id"])["lines"][0]["cancelled_quantity"] == 1
    whole = console.submit(f"{path}/cancel", {"reason": "买家不要了", "whole": "1"},
                           csrf_from=path)
    assert 'data-testid="changes-success"' in whole.text
    assert 'data-status="cancelled"' in whole.text and "已取消" in text_of(whole)
    assert _order(w, order["order_id"])["status"] == "cancelled"
    assert 'data-testid="cancel-whole-form"' not in whole.text
    again = console.submit(f"{path}/cancel", {"reason": "again", "whole": "1"}, csrf_from=path)
    assert 'data-testid="cancel-whole-code">ALREADY_CANCELLED' in again.text


def test_cancel_needs_a_reason_and_some_units(shop: Setup) -> None:
    w, console, _ = shop
    order = _new(w, "C-2", ("TEE-RED", 1))
    path = f"/shops/{w.shop_id}/orders/{order['order_id']}"
    line = str(order["lines"][0]["line_id"])
    none = console.submit(f"{path}/cancel", {"reason": "x", "line_id": line, "quantity": "0"},
                          csrf_from=path)
    assert 'data-testid="cancel-units-code">VALIDATION_FAILED' in none.text
    blank = console.submit(f"{path}/cancel", {"reason": "", "whole": "1"}, csrf_from=path)
    assert 'data-testid="cancel-whole-code">VALIDATION_FAILED' in blank.text
    assert _order(w, order["order_id"])["status"] == "assigned"


def test_correct_the_recipient_in_english(shop: Setup) -> None:
    w, console, _ = shop
    console.get("/locale/en")
    order = _new(w, "R-1", ("TEE-RED", 1))
    path = f"/shops/{w.shop_id}/orders/{order['order_id']}"
    page = console.get(path)
    assert 'data-testid="recipient-form"' in page.text and "Correct the recipient" in page.text
    assert 'value="13912345678"' in page.text
    form = {"name": "李四", "phone": "13800138000", "province": "广东省", "city": "深圳市",
            "district": "南山区", "detail": "科技园 1 号"}
    bad = console.submit(f"{path}/recipient", {**form, "phone": "123"}, csrf_from=path)
    assert 'data-testid="recipient-code">VALIDATION_FAILED' in bad.text
    assert 'value="123"' in bad.text  # what was typed comes back
    done = console.submit(f"{path}/recipient", form, csrf_from=path)
    assert 'data-testid="changes-success"' in done.text
    assert _order(w, order["order_id"])["buyer"]["phone"] == "+8613800138000"
    assert 'data-status="assigned" title="assigned">Assigned</span>' in done.text


def test_no_recipient_form_once_shipped(shop: Setup) -> None:
    w, console, api = shop
    order = _new(w, "R-2", ("TEE-RED", 1))
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    first = w.suppliers[0]
    assert act(api, first, no, "accept").status_code == 200
    assert ship(api, first, no, "SF", "SF1234567890123").status_code == 200
    page = console.get(f"/shops/{w.shop_id}/orders/{order['order_id']}")
    assert 'data-testid="recipient-form"' not in page.text
    assert 'data-testid="cancel-whole-form"' not in page.text
    assert 'data-testid="nothing-to-cancel"' in page.text
