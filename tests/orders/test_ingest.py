"""Orders in: one at a time and in batches, routed by every mode, checked on the way."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from daifa.kit.clock import FrozenClock
from tests.api.support import assert_problem, ok
from tests.orders.helpers import order_body, reasons, world


def without_timeline(order: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in order.items() if k != "timeline"}


def test_manual_mode_keeps_every_line_waiting(client: TestClient) -> None:
    w = world(client)
    order = w.order(order_body("A-1", ("TEE-RED", 2), ("MUG-1", 1)))
    assert order["status"] == "unassigned"
    assert order["dispatch_orders"] == []
    assert [(u["sku_code"], u["quantity"], u["reason"]) for u in order["unassigned_lines"]] == [
        ("TEE-RED", 2, "MANUAL_MODE"), ("MUG-1", 1, "MANUAL_MODE")]


def test_response_is_the_order_as_stored(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a)
    w.rule("skus", "TEE-BLUE", b)
    created = w.order(order_body("A-1", ("TEE-RED", 2), ("TEE-BLUE", 1), ("MUG-1", 1)))
    stored = ok(client.get(w.url(f"/orders/{created['order_id']}"), headers=w.headers))
    assert without_timeline(stored) == without_timeline(created)


def test_order_shape_follows_the_api_contract(client: TestClient) -> None:
    w = world(client)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    order = w.order(order_body("3721456789012345678", ("TEE-RED", 2)))
    assert {"order_id", "shop_id", "external_id", "status", "lines", "dispatch_orders",
            "unassigned_lines"} <= set(order)
    assert order["external_id"] == "3721456789012345678"
    assert set(order["lines"][0]) >= {"line_id", "sku_code", "quantity", "unit_price_fen"}
    dispatch = order["dispatch_orders"][0]
    assert {"dispatch_order_no", "order_id", "shop_id", "supplier_id", "status", "ship_by",
            "lines", "shipments", "recipient"} <= set(dispatch)
    assert set(dispatch["lines"][0]) >= {"line_id", "sku_code", "supplier_sku_code", "quantity",
                                         "supply_price_fen", "reason"}
    assert dispatch["recipient"] == {"region": "浙江省 杭州市 西湖区", "name_masked": "张*",
                                     "phone_masked": "139****5678"}
    assert dispatch["dispatch_order_no"].startswith("DO261125")
    assert dispatch["dispatch_order_no"][2:].isdigit()


def test_whole_store_sends_every_line_to_the_default_supplier(client: TestClient) -> None:
    w = world(client)
    a, _ = w.suppliers
    w.settings("whole_store", default_supplier_id=a.supplier_id)
    order = w.order(order_body("A-1", ("TEE-RED", 2), ("MUG-1", 1)))
    assert order["status"] == "assigned"
    assert reasons(order) == {"TEE-RED": [(a.supplier_id, 2, "store_default")],
                              "MUG-1": [(a.supplier_id, 1, "store_default")]}
    assert len(order["dispatch_orders"]) == 1
    assert [line["supplier_sku_code"] for line in order["dispatch_orders"][0]["lines"]] == [
        "X1-TEE-RED", "X1-MUG-1"]


def test_by_product_splits_lines_into_one_dispatch_order_per_supplier(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a, b)
    w.rule("skus", "TEE-BLUE", b)
    w.rule("products", "MUG", b)
    order = w.order(order_body("A-1", ("TEE-RED", 1), ("TEE-BLUE", 2), ("MUG-1", 3)))
    assert reasons(order) == {"TEE-RED": [(a.supplier_id, 1, "product_rule")],
                              "TEE-BLUE": [(b.supplier_id, 2, "sku_rule")],
                              "MUG-1": [(b.supplier_id, 3, "product_rule")]}
    by_supplier = {d["supplier_id"]: d for d in order["dispatch_orders"]}
    assert set(by_supplier) == {a.supplier_id, b.supplier_id}
    assert [ln["sku_code"] for ln in by_supplier[b.supplier_id]["lines"]] == ["TEE-BLUE", "MUG-1"]
    assert by_supplier[a.supplier_id]["lines"][0]["routing"] == {
        "reason": "product_rule", "basis": "product_rule", "backups": [b.supplier_id]}


def test_line_without_rule_waits_unless_fallback_is_on(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a)
    assert reasons(w.order(order_body("A-1", ("MUG-1", 1))))["MUG-1"] == "NO_RULE"
    w.settings("by_product", default_supplier_id=b.supplier_id, fallback_to_default=True)
    assert reasons(w.order(order_body("A-2", ("MUG-1", 1))))["MUG-1"] == [
        (b.supplier_id, 1, "store_default")]


def test_backup_takes_the_line_when_the_first_choice_is_suspended(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a, b)
    ok(client.post(f"/api/v1/admin/suppliers/{a.supplier_id}/suspend", headers=w.platform.headers))
    order = w.order(order_body("A-1", ("TEE-RED", 1)))
    line = order["lines"][0]["assignments"][0]
    assert (line["supplier_id"], line["reason"]) == (b.supplier_id, "backup")
    assert line["routing"]["skipped"] == [{"supplier_id": a.supplier_id, "why": "suspended"}]


def test_line_waits_when_every_supplier_of_its_rule_is_out(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("skus", "TEE-RED", a, b)
    for s in (a, b):
        ok(client.post(f"/api/v1/admin/suppliers/{s.supplier_id}/suspend",
                       headers=w.platform.headers))
    order = w.order(order_body("A-1", ("TEE-RED", 1)))
    (waiting,) = order["unassigned_lines"]
    assert waiting["reason"] == "NO_ELIGIBLE_SUPPLIER"
    assert [s["why"] for s in waiting["routing"]["skipped"]] == ["suspended", "suspended"]
    assert order["status"] == "unassigned"


def test_unknown_sku_is_kept_and_marked(client: TestClient) -> None:
    w = world(client)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    order = w.order(order_body("A-1", ("TEE-RED", 1), ("NOT-IN-CATALOG", 2)))
    assert order["status"] == "partially_assigned"
    assert [(u["sku_code"], u["quantity"], u["reason"]) for u in order["unassigned_lines"]] == [
        ("NOT-IN-CATALOG", 2, "UNKNOWN_SKU")]
    assert len(order["lines"]) == 2


def test_supply_price_snapshot_applies_the_quantity_tier(client: TestClient) -> None:
    w = world(client, suppliers=1, tiers=[{"min_quantity": 10, "price_fen": 700}])
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    order = w.order(order_body("A-1", ("TEE-RED", 12), ("MUG-1", 2)))
    lines = order["dispatch_orders"][0]["lines"]
    assert [(ln["sku_code"], ln["supply_price_fen"]) for ln in lines] == [("TEE-RED", 700),
                                                                         ("MUG-1", 1100)]
    assert order["dispatch_orders"][0]["supply_total_fen"] == 12 * 700 + 2 * 1100


def test_ship_by_counts_from_payment_and_accept_by_from_receipt(client: TestClient,
                                                                clock: FrozenClock) -> None:
    w = world(client, suppliers=1)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id, ship_by_hours=24)
    order = w.order(order_body("A-1", paid_at="2026-11-24T20:00:00Z"))
    dispatch = order["dispatch_orders"][0]
    assert dispatch["ship_by"] == "2026-11-25T20:00:00Z"
    window = client.app.state.hub.settings.accept_within_hours  # type: ignore[attr-defined]
    assert dispatch["accept_by"] == (clock.now() + timedelta(hours=window)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    unpaid = w.order(order_body("A-2"))
    assert unpaid["ship_by"] == (clock.now() + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_repeated_external_id_returns_the_first_order_and_creates_nothing(
        client: TestClient) -> None:
    w = world(client)
    first = w.order(order_body("A-1", ("TEE-RED", 1)))
    again = w.order(order_body("A-1", ("MUG-1", 5)), status=200)
    assert without_timeline(again) == without_timeline(first)
    listed = ok(client.get(w.url("/orders"), headers=w.headers))["items"]
    assert [o["order_id"] for o in listed] == [first["order_id"]]


def test_external_id_is_unique_per_shop_only(client: TestClient) -> None:
    w1, w2 = world(client, suppliers=1), world(client, suppliers=1)
    assert w1.order(order_body("SAME"))["order_id"] != w2.order(order_body("SAME"))["order_id"]


@pytest.mark.parametrize(("change", "field"), [
    (lambda b: b["lines"][0].update(quantity=0), "quantity"),
    (lambda b: b["lines"][0].update(unit_price_fen=-1), "unit_price_fen"),
    (lambda b: b["buyer"]["address"].pop("district"), "district"),
    (lambda b: b["buyer"]["address"].update(city="  "), "city"),
    (lambda b: b["buyer"].update(phone="12345"), "phone"),
    (lambda b: b.update(external_id=3721456789012345678), "external_id"),
    (lambda b: b.update(lines=[]), "lines"),
    (lambda b: b.update(paid_at="2026-11-24T20:00:00"), "paid_at"),
])
def test_bad_order_is_refused_with_the_field(client: TestClient, change: Any,
                                             field: str) -> None:
    w = world(client, suppliers=1)
    body = order_body("A-1")
    change(body)
    problem = assert_problem(w.post(body), 422, "VALIDATION_FAILED")
    assert field in problem["detail"]


def test_phone_is_stored_in_e164_and_foreign_numbers_are_accepted(client: TestClient) -> None:
    w = world(client, suppliers=1)
    assert w.order(order_body("A-1", phone=" 139 1234 5678 "))["buyer"]["phone"] == (
        "+8613912345678")
    assert w.order(order_body("A-2", phone="+852 6123 4567"))["buyer"]["phone"] == (
        "+85261234567")


def test_concurrent_posts_of_one_external_id_make_one_order(client: TestClient) -> None:
    w = world(client)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda _: w.post(order_body("RACE", ("TEE-RED", 1))),
                                  range(20)))
    assert sorted(r.status_code for r in responses) == [200] * 19 + [201]
    assert len({r.json()["order_id"] for r in responses}) == 1
    listed = ok(client.get(w.url("/orders"), headers=w.headers))["items"]
    assert len(listed) == 1 and len(listed[0]["dispatch_orders"]) == 1


# --- batches ---------------------------------------------------------------------------------

def test_batch_creates_good_orders_and_reports_bad_ones(client: TestClient) -> None:
    w = world(client)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    bad = order_body("B-2")
    bad["lines"][0]["quantity"] = 0
    existing = w.order(order_body("B-0"))
    batch = [order_body("B-1", ("TEE-RED", 1)), bad, order_body("B-0"), {"external_id": 7},
             order_body("B-1", ("MUG-1", 9)), order_body("B-3", ("NOPE", 1))]
    items = ok(client.post(w.url("/orders:batch"), json={"orders": batch},
                           headers=w.headers))["items"]
    assert [item["external_id"] for item in items] == ["B-1", "B-2", "B-0", None, "B-1", "B-3"]
    assert items[0]["created"] is True and items[5]["created"] is True
    assert items[1]["error"]["code"] == "VALIDATION_FAILED"
    assert "quantity" in items[1]["error"]["detail"]
    assert items[2] == {"external_id": "B-0", "order_id": existing["order_id"], "created": False}
    assert items[3]["error"]["code"] == "VALIDATION_FAILED"
    assert items[4] == {"external_id": "B-1", "order_id": items[0]["order_id"], "created": False}
    b1 = ok(client.get(w.url(f"/orders/{items[0]['order_id']}"), headers=w.headers))
    assert [ln["sku_code"] for ln in b1["lines"]] == ["TEE-RED"]  # the first B-1 won
    b3 = ok(client.get(w.url(f"/orders/{items[5]['order_id']}"), headers=w.headers))
    assert b3["unassigned_lines"][0]["reason"] == "UNKNOWN_SKU"


def test_batch_over_a_thousand_is_refused(client: TestClient) -> None:
    w = world(client, suppliers=1)
    body = {"orders": [order_body(f"B-{n}") for n in range(1001)]}
    assert_problem(client.post(w.url("/orders:batch"), json=body, headers=w.headers), 422,
                   "VALIDATION_FAILED")


def test_batch_routes_each_order_like_a_single_post(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a)
    w.rule("products", "MUG", b)
    batch = [order_body(f"B-{n}", ("TEE-RED", 1), ("MUG-1", 2)) for n in range(5)]
    items = ok(client.post(w.url("/orders:batch"), json={"orders": batch},
                           headers=w.headers))["items"]
    for item in items:
        order = ok(client.get(w.url(f"/orders/{item['order_id']}"), headers=w.headers))
        assert reasons(order) == {"TEE-RED": [(a.supplier_id, 1, "product_rule")],
                                  "MUG-1": [(b.supplier_id, 2, "product_rule")]}
        assert sorted(d["dispatch_order_no"][-2:] for d in order["dispatch_orders"]) == [
            "01", "02"]
