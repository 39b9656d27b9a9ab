"""The supplier's dispatch-order inbox across its shops: status tabs, masked recipients, no sale
prices; one dispatch order as its supplier sees it; other suppliers' orders are 404."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from tests import factories
from tests.catalog.helpers import bind, shop_product
from tests.orders.helpers import World, order_body, world
from tests.web.conftest import Visitor, text_of

Setup = tuple[World, Visitor]


@pytest.fixture
def supplier(api: TestClient, console_for: Callable[[str], Visitor]) -> Setup:
    """Two suppliers bound to a shop whose orders all go to the first (whole store); the
    first supplier's owner signed in."""
    w = world(api)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    return w, console_for(w.suppliers[0].owner.login)


def _numbers(text: str) -> list[str]:
    return re.findall(r'class="card-link" href="[^"]+" data-testid="do-(DO\d+)"', text)


def test_an_empty_inbox(supplier: Setup) -> None:
    w, console = supplier
    page = console.get(f"/suppliers/{w.suppliers[0].supplier_id}/dispatch-orders")
    assert page.status_code == 200
    assert 'data-testid="inbox-empty"' in page.text


def test_the_inbox_across_shops_masks_the_recipient_and_hides_sale_prices(
        supplier: Setup, api: TestClient) -> None:
    w, console = supplier
    s1 = w.suppliers[0]
    w.order(order_body("A1", ("TEE-RED", 2), phone="13912345678"))
    # a second shop of another merchant, bound to the same supplier
    merchant = factories.person(api)
    other_shop = factories.shop(api, merchant, name="第二家小店")
    bind(api, merchant, other_shop, s1.owner, s1.supplier_id)
    shop_product(api, merchant, other_shop, "TEE", [
        {"sku_code": "OTHER-RED", "price_fen": 8800,
         "sources": [{"supplier_id": s1.supplier_id, "sku_code": s1.code("TEE-RED")}]}])
    api.put(f"/api/v1/shops/{other_shop}/dispatch-settings", headers=merchant.headers,
            json={"mode": "whole_store", "default_supplier_id": s1.supplier_id})
    body = order_body("B1", ("OTHER-RED", 1))
    body["buyer"]["name"] = "欧阳娜娜"
    response = api.post(f"/api/v1/shops/{other_shop}/orders", json=body,
                        headers=merchant.headers)
    assert response.status_code == 201, response.text
    page = console.get(f"/suppliers/{s1.supplier_id}/dispatch-orders")
    text = text_of(page)
    assert len(_numbers(page.text)) == 2
    assert "第二家小店" in text and w.shop_id in text
    assert "张* · 139****5678" in text and "欧*** · 139****5678" in text
    assert "浙江省 杭州市 西湖区" in text
    assert "张三" not in text and "文三路" not in text and "13912345678" not in text
    assert "¥59.00" not in text and "¥88.00" not in text  # sale prices never show
    assert "¥22.00" in text  # 2 × the supply price 11.00
    assert 'data-testid="status-assigned"' in page.text
    tab = re.search(r'data-testid="status-assigned">assigned<span class="count">(\d+)<',
                    page.text)
    assert tab and tab.group(1) == "2"


def test_status_tabs_and_paging(supplier: Setup) -> None:
    w, console = supplier
    s1, s2 = w.suppliers
    for n in range(22):
        w.order(order_body(f"P{n:02d}"))
    first = w.order(order_body("MOVE"))["dispatch_orders"][0]["dispatch_order_no"]
    response = w.client.post(w.url(f"/dispatch-orders/{first}/reassign"), headers=w.headers,
                             json={"supplier_id": s2.supplier_id})
    assert response.status_code == 200, response.text
    base = f"/suppliers/{s1.supplier_id}/dispatch-orders"
    page = console.get(base)
    assert len(_numbers(page.text)) == 20 and _numbers(page.text)[0] == first
    more = re.search(r'href="([^"]+cursor=\d+)"[^>]*data-testid="page-next"', page.text)
    assert more and len(_numbers(console.get(more.group(1)).text)) == 3
    cancelled = console.get(f"{base}?status=cancelled")
    assert _numbers(cancelled.text) == [first]
    assert 'aria-current="page" data-testid="status-cancelled"' in cancelled.text
    assert len(_numbers(console.get(f"{base}?status=assigned").text)) == 20
    none = console.get(f"{base}?status=shipped")
    assert _numbers(none.text) == [] and "没有这个状态的代发单" in text_of(none)


def test_one_dispatch_order_as_its_supplier_sees_it(supplier: Setup) -> None:
    w, console = supplier
    s1 = w.suppliers[0]
    order = w.order(order_body("D1", ("TEE-RED", 2), ("MUG-1", 1)))
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    page = console.get(f"/suppliers/{s1.supplier_id}/dispatch-orders/{no.lower()}")
    assert page.status_code == 200
    text = text_of(page)
    assert no in text and "张* · 139****5678" in text
    assert s1.code("TEE-RED") in text and "¥33.00" in text  # 2 × 11.00 + 11.00
    assert "¥59.00" not in text and "张三" not in text
    assert "store_default" not in text and "店铺默认" not in text  # no routing reasons
    assert "商家 代发单已派给" in text  # the timeline, in words
    # the supplier's own moves (accept, reject, hold: routes/fulfilment.py), none of the shop's
    assert 'data-testid="accept-form"' in page.text and 'data-testid="hold-form"' in page.text
    assert "/cancel" not in page.text and "/reassign" not in page.text


def test_other_suppliers_dispatch_orders_are_404(supplier: Setup,
                                                 console_for: Callable[[str], Visitor],
                                                 person: Callable[[], Visitor]) -> None:
    w, console = supplier
    s1, s2 = w.suppliers
    no = w.order(order_body("X1"))["dispatch_orders"][0]["dispatch_order_no"]
    other = console_for(s2.owner.login)
    response = other.get(f"/suppliers/{s2.supplier_id}/dispatch-orders/{no}")
    assert response.status_code == 404
    assert 'data-testid="error-code">DISPATCH_ORDER_NOT_FOUND<' in response.text
    assert _numbers(other.get(f"/suppliers/{s2.supplier_id}/dispatch-orders").text) == []
    stranger = person()
    for path in ("/dispatch-orders", f"/dispatch-orders/{no}"):
        response = stranger.get(f"/suppliers/{s1.supplier_id}{path}")
        assert response.status_code == 404, path
        assert 'data-testid="error-code">SUPPLIER_NOT_FOUND<' in response.text
    # the shop owner sees it on the shop's pages, not through the supplier's inbox URL
    merchant = console_for(w.merchant.login)
    response = merchant.get(f"/suppliers/{s1.supplier_id}/dispatch-orders/{no}")
    assert response.status_code == 404
    assert console.get(f"/suppliers/{s1.supplier_id}/dispatch-orders/{no}").status_code == 200
