"""Reading orders and dispatch orders: filters, paging, statement counts, who sees what."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from daifa.kit.clock import FrozenClock
from tests import factories as f
from tests.api.support import assert_problem, ok
from tests.orders.helpers import World, order_body, world


def routed_world(client: TestClient) -> World:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a)
    w.rule("products", "MUG", b)
    return w


def listed(w: World, query: str = "") -> list[str]:
    items = ok(w.client.get(w.url(f"/orders{query}"), headers=w.headers))["items"]
    return [o["external_id"] for o in items]


def test_orders_list_filters(client: TestClient, clock: FrozenClock) -> None:
    w = routed_world(client)
    a, b = w.suppliers
    w.order(order_body("O-1", ("TEE-RED", 1)))
    clock.advance(timedelta(hours=1))
    w.order(order_body("O-2", ("MUG-1", 1), ("NOPE", 1)))
    clock.advance(timedelta(hours=1))
    w.order(order_body("O-3", ("NOPE", 1)))
    assert listed(w) == ["O-3", "O-2", "O-1"]
    assert listed(w, "?status=assigned") == ["O-1"]
    assert listed(w, "?status=partially_assigned") == ["O-2"]
    assert listed(w, "?unassigned=true") == ["O-3", "O-2"]
    assert listed(w, "?unassigned=false") == ["O-1"]
    assert listed(w, f"?supplier_id={b.supplier_id}") == ["O-2"]
    assert listed(w, f"?supplier_id={a.supplier_id}") == ["O-1"]
    assert listed(w, "?supplier_id=SPZZZZZZZ") == []
    start = clock.now() - timedelta(hours=1)
    assert listed(w, f"?created_from={start:%Y-%m-%dT%H:%M:%SZ}") == ["O-3", "O-2"]
    assert listed(w, f"?created_to={start:%Y-%m-%dT%H:%M:%SZ}") == ["O-1"]
    assert_problem(client.get(w.url("/orders?status=lost"), headers=w.headers), 422,
                   "VALIDATION_FAILED")


def test_orders_list_pages_with_a_cursor(client: TestClient) -> None:
    w = world(client, suppliers=1)
    for n in range(5):
        w.order(order_body(f"P-{n}"))
    seen: list[str] = []
    cursor = None
    while True:
        query = f"?limit=2&cursor={cursor}" if cursor else "?limit=2"
        page = ok(client.get(w.url(f"/orders{query}"), headers=w.headers))
        seen += [o["external_id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["P-4", "P-3", "P-2", "P-1", "P-0"]
    assert_problem(client.get(w.url("/orders?cursor=nonsense"), headers=w.headers), 422,
                   "INVALID_CURSOR")


@contextmanager
def statements(client: TestClient) -> Iterator[list[str]]:
    engine = client.app.state.hub.db.engine  # type: ignore[attr-defined]
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_orders_list_query_count_does_not_grow_with_page_size(client: TestClient) -> None:
    w = routed_world(client)
    for n in range(12):
        w.order(order_body(f"N-{n}", ("TEE-RED", 1), ("MUG-1", 2), ("NOPE", 1)))
    counts = {}
    for size in (2, 12):
        with statements(client) as seen:
            page = ok(client.get(w.url(f"/orders?limit={size}"), headers=w.headers))
        assert len(page["items"]) == size
        assert all(len(o["dispatch_orders"]) == 2 for o in page["items"])
        counts[size] = len(seen)
    assert counts[2] == counts[12] <= 7  # orders, lines, dispatch orders, their lines, parcels


def test_order_detail_explains_every_line_and_has_a_timeline(client: TestClient) -> None:
    w = routed_world(client)
    order = w.order(order_body("D-1", ("TEE-RED", 1), ("NOPE", 2)))
    detail = ok(client.get(w.url(f"/orders/{order['order_id']}"), headers=w.headers))
    red, nope = detail["lines"]
    assert red["assignments"][0]["routing"]["reason"] == "product_rule"
    assert (nope["unassigned_reason"], nope["routing"]) == ("UNKNOWN_SKU",
                                                             {"reason": "UNKNOWN_SKU"})
    assert [(e["type"], e["subject"]) for e in detail["timeline"]] == [
        ("shop_order.received", "shop_order"), ("dispatch_order.created", "dispatch_order")]
    assert detail["timeline"][1]["data"]["order_id"] == order["order_id"]
    assert detail["timeline"][1]["data"]["supplier_id"] == w.suppliers[0].supplier_id


@pytest.mark.parametrize("order_id", ["999999", "abc", "-1", "1" * 30])
def test_unknown_or_malformed_order_id_is_404(client: TestClient, order_id: str) -> None:
    w = world(client, suppliers=1)
    assert_problem(client.get(w.url(f"/orders/{order_id}"), headers=w.headers), 404,
                   "ORDER_NOT_FOUND")


def test_another_shops_order_is_404_like_a_missing_one(client: TestClient) -> None:
    w1, w2 = world(client, suppliers=1), world(client, suppliers=1)
    order = w1.order(order_body("T-1"))
    foreign = client.get(w2.url(f"/orders/{order['order_id']}"), headers=w2.headers)
    missing = client.get(w2.url("/orders/999999"), headers=w2.headers)
    assert_problem(foreign, 404, "ORDER_NOT_FOUND")
    assert foreign.json()["detail"] == missing.json()["detail"]
    assert listed(w2) == []


# --- the supplier's side ----------------------------------------------------------------------

def test_supplier_inbox_spans_shops_and_masks_the_recipient(client: TestClient) -> None:
    w1, w2 = world(client, suppliers=1), world(client, suppliers=1)
    supplier = w1.suppliers[0]
    token = f.invitation(client, w2.merchant, w2.shop_id)["token"]
    ok(client.post(f"/api/v1/invitations/{token}/accept",
                   json={"supplier_id": supplier.supplier_id}, headers=supplier.owner.headers))
    ok(client.put(w2.url("/products/TEE/skus/TEE-RED/sources"), headers=w2.headers,
                  json={"sources": [{"supplier_id": supplier.supplier_id,
                                     "sku_code": supplier.code("TEE-RED")}]}))
    for w in (w1, w2):
        w.settings("whole_store", default_supplier_id=supplier.supplier_id)
        w.order(order_body(f"I-{w.shop_id}", ("TEE-RED", 2), phone="13912345678"))
    inbox = ok(client.get(f"/api/v1/suppliers/{supplier.supplier_id}/dispatch-orders",
                          headers=supplier.owner.headers))
    assert [d["shop_id"] for d in inbox["items"]] == [w2.shop_id, w1.shop_id]
    first = inbox["items"][0]
    assert first["recipient"] == {"region": "浙江省 杭州市 西湖区", "name_masked": "张*",
                                  "phone_masked": "139****5678"}
    text = json.dumps(inbox, ensure_ascii=False)
    for secret in ("unit_price_fen", "5900", "13912345678", "张三", "文三路", "routing\": {"):
        assert secret not in text
    assert first["lines"][0]["routing"] is None
    filtered = ok(client.get(f"/api/v1/suppliers/{supplier.supplier_id}/dispatch-orders"
                             "?status=accepted", headers=supplier.owner.headers))
    assert filtered["items"] == []


def test_dispatch_order_is_visible_to_its_shop_and_supplier_only(client: TestClient) -> None:
    w = routed_world(client)
    a, b = w.suppliers
    no = w.order(order_body("V-1", ("TEE-RED", 1)))["dispatch_orders"][0]["dispatch_order_no"]
    url = f"/api/v1/dispatch-orders/{no}"
    shop_view = ok(client.get(url, headers=w.headers))
    supplier_view = ok(client.get(url, headers=a.owner.headers))
    assert shop_view["lines"][0]["routing"]["reason"] == "product_rule"
    assert supplier_view["lines"][0]["routing"] is None
    assert supplier_view["recipient"] == shop_view["recipient"]
    for stranger in (b.owner, f.person(client)):
        assert_problem(client.get(url, headers=stranger.headers), 404,
                       "DISPATCH_ORDER_NOT_FOUND")
        assert_problem(client.get(url + "/timeline", headers=stranger.headers), 404,
                       "DISPATCH_ORDER_NOT_FOUND")
    assert_problem(client.get("/api/v1/dispatch-orders/DO2611259999999901",
                              headers=w.headers), 404, "DISPATCH_ORDER_NOT_FOUND")
    assert_problem(client.get(url), 401, "UNAUTHENTICATED")
    assert ok(client.get(url.lower(), headers=w.headers))["dispatch_order_no"] == no


def test_dispatch_order_timeline_for_shop_supplier_and_admin(client: TestClient) -> None:
    w = routed_world(client)
    a, _ = w.suppliers
    no = w.order(order_body("V-1", ("TEE-RED", 1)))["dispatch_orders"][0]["dispatch_order_no"]
    for headers in (w.headers, a.owner.headers, w.platform.headers):
        items = ok(client.get(f"/api/v1/dispatch-orders/{no}/timeline", headers=headers))[
            "items"]
        assert [(i["type"], i["to_status"]) for i in items] == [
            ("dispatch_order.created", "assigned")]
    assert_problem(client.get(f"/api/v1/dispatch-orders/{no}", headers=w.platform.headers),
                   404, "DISPATCH_ORDER_NOT_FOUND")


def test_api_keys_see_only_their_own_organisation(client: TestClient) -> None:
    w = routed_world(client)
    a, b = w.suppliers
    no = w.order(order_body("K-1", ("TEE-RED", 1)))["dispatch_orders"][0]["dispatch_order_no"]
    shop_key = ok(client.post(w.url("/api-keys"), headers=w.headers), 201)["key"]
    a_key = ok(client.post(f"/api/v1/suppliers/{a.supplier_id}/api-keys",
                           headers=a.owner.headers), 201)["key"]
    b_key = ok(client.post(f"/api/v1/suppliers/{b.supplier_id}/api-keys",
                           headers=b.owner.headers), 201)["key"]
    url = f"/api/v1/dispatch-orders/{no}"
    ok(client.get(url, headers=f.auth(shop_key)))
    ok(client.get(url, headers=f.auth(a_key)))
    assert_problem(client.get(url, headers=f.auth(b_key)), 404, "DISPATCH_ORDER_NOT_FOUND")
    inbox = client.get(f"/api/v1/suppliers/{a.supplier_id}/dispatch-orders",
                       headers=f.auth(b_key))
    assert_problem(inbox, 404, "SUPPLIER_NOT_FOUND")
