"""Cancelling units of a shop order through the API: waiting units, `assigned` dispatch orders
at once, `accepted` ones by request, shipped units refused with nothing changed, twice is 409,
the rest of a dispatch order cancelled in part waits to be assigned again; on both databases."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

from tests.api.support import assert_problem, ok
from tests.fulfilment.helpers import Routed, act, routed, ship
from tests.fulfilment.test_lifecycle import _stock


def cancel(r: Routed, order_id: str, reason: str = "buyer cancelled",
           lines: list[tuple[int, int]] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"reason": reason}
    if lines is not None:
        body["lines"] = [{"line_id": line_id, "quantity": q} for line_id, q in lines]
    return r.client.post(r.w.url(f"/orders/{order_id}/cancel"), json=body, headers=r.w.headers)


def two_suppliers(client: TestClient) -> tuple[Routed, dict[str, Any]]:
    """An order whose TEE goes to suppliers[0] and MUG to suppliers[1]: two dispatch orders."""
    r = routed(client)
    r.w.rule("products", "MUG", r.w.suppliers[1], r.w.suppliers[0])
    order = r.order("TWO-1", ("TEE-RED", 2), ("MUG-1", 1))
    assert len(order["dispatch_orders"]) == 2
    return r, order


def line_ids(order: dict[str, Any]) -> dict[str, int]:
    return {line["sku_code"]: line["line_id"] for line in order["lines"]}


def by_supplier(order: dict[str, Any], index: int, r: Routed) -> dict[str, Any]:
    supplier_id = r.w.suppliers[index].supplier_id
    return next(d for d in order["dispatch_orders"] if d["supplier_id"] == supplier_id)


def test_whole_order_cancelled_while_assigned_releases_stock(client: TestClient) -> None:
    r = routed(client, stock=5)
    created = r.order("W-1", ("TEE-RED", 2))
    assert _stock(client, r) == (3, 5)
    order = ok(cancel(r, created["order_id"], "buyer changed mind"))
    assert order["status"] == "cancelled"
    assert order["cancelled_quantity"] == 2
    [line] = order["lines"]
    assert (line["cancelled_quantity"], line["assigned_quantity"]) == (2, 0)
    assert order["unassigned_lines"] == []
    [dispatch] = order["dispatch_orders"]
    assert (dispatch["status"], dispatch["cancel_reason"]) == ("cancelled", "buyer changed mind")
    assert _stock(client, r) == (5, 5)
    types = [(e["type"], e["to_status"], e["reason"]) for e in order["timeline"]]
    assert ("shop_order.cancel_units", None, "buyer changed mind") in types
    assert ("dispatch_order.cancel", "cancelled", "buyer changed mind") in types
    assert types[-1][:2] == ("shop_order.cancel", "cancelled")
    assert order == {**r.shop_order(created["order_id"]), "timeline": order["timeline"]}


def test_waiting_units_are_cancelled_at_once(client: TestClient) -> None:
    r = routed(client)
    r.w.settings("manual")
    created = r.order("M-1", ("TEE-RED", 3))
    assert created["status"] == "unassigned"
    line = line_ids(created)["TEE-RED"]
    order = ok(cancel(r, created["order_id"], lines=[(line, 1)]))
    assert order["status"] == "unassigned"  # two units still wait: the shop's queue
    assert order["unassigned_lines"][0]["quantity"] == 2
    assert order["lines"][0]["cancelled_quantity"] == 1
    order = ok(cancel(r, created["order_id"]))
    assert (order["status"], order["cancelled_quantity"], order["unassigned_lines"]) == (
        "cancelled", 3, [])


def test_cancelling_the_waiting_rest_leaves_the_order_partially_cancelled(
        client: TestClient) -> None:
    r = routed(client)
    r.w.settings("manual")
    created = r.order("M-2", ("TEE-RED", 1), ("MUG-1", 1))
    ids = line_ids(created)
    ok(client.post(r.w.url(f"/orders/{created['order_id']}/assign"),
                   json={"assignments": [{"line_id": ids["TEE-RED"], "quantity": 1,
                                          "supplier_id": r.first.supplier_id}]},
                   headers=r.w.headers))
    assert r.shop_order(created["order_id"])["status"] == "partially_assigned"
    order = ok(cancel(r, created["order_id"], lines=[(ids["MUG-1"], 1)]))
    assert order["status"] == "partially_cancelled"
    assert [d["status"] for d in order["dispatch_orders"]] == ["assigned"]
    # the rest ships and the order follows it; the cancelled line stays cancelled
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    ok(act(client, r.first, no, "accept"))
    ok(ship(client, r.first, no, "SF", "SF1234567890123"))
    after = r.shop_order(created["order_id"])
    assert after["status"] == "shipped"
    assert {line["sku_code"]: line["cancelled_quantity"] for line in after["lines"]} == {
        "TEE-RED": 0, "MUG-1": 1}


def test_accepted_dispatch_order_is_asked_and_units_cancelled_when_the_supplier_agrees(
        client: TestClient) -> None:
    r = routed(client, stock=5)
    accepted = r.accepted("A-1", ("TEE-RED", 2))
    order_id, no = accepted["order_id"], accepted["dispatch_order_no"]
    order = ok(cancel(r, order_id))
    assert order["status"] == "assigned"  # nothing cancelled until the supplier answers
    [dispatch] = order["dispatch_orders"]
    assert dispatch["status"] == "cancel_requested"
    assert dispatch["lines"][0]["cancel_quantity"] == 2
    assert_problem(cancel(r, order_id), 409, "ALREADY_CANCELLED")
    assert ok(act(client, r.first, no, "cancel/accept"))["status"] == "cancelled"
    after = r.shop_order(order_id)
    assert (after["status"], after["cancelled_quantity"], after["unassigned_lines"]) == (
        "cancelled", 2, [])
    assert _stock(client, r) == (5, 5)


def test_a_refused_cancel_request_leaves_the_units_with_the_supplier(client: TestClient) -> None:
    r = routed(client)
    accepted = r.accepted("A-2", ("TEE-RED", 2))
    order_id, no = accepted["order_id"], accepted["dispatch_order_no"]
    ok(cancel(r, order_id))
    refused = ok(act(client, r.first, no, "cancel/reject", {"note": "packed already"}))
    assert refused["status"] == "accepted"
    assert refused["lines"][0]["cancel_quantity"] == 0
    after = r.shop_order(order_id)
    assert (after["status"], after["cancelled_quantity"]) == ("assigned", 0)
    # and the shop may ask again
    assert ok(cancel(r, order_id))["dispatch_orders"][0]["status"] == "cancel_requested"


def test_part_of_a_dispatch_order_cancels_it_whole_and_the_rest_waits(client: TestClient) -> None:
    r = routed(client)
    created = r.order("P-1", ("TEE-RED", 2), ("MUG-1", 1))
    ids = line_ids(created)
    order = ok(cancel(r, created["order_id"], lines=[(ids["TEE-RED"], 1)]))
    [dispatch] = order["dispatch_orders"]
    assert dispatch["status"] == "cancelled"
    assert {x["sku_code"]: x["cancel_quantity"] for x in dispatch["lines"]} == {
        "TEE-RED": 1, "MUG-1": 0}
    assert order["status"] == "unassigned"  # the rest waits: the shop's queue
    assert sorted((w["sku_code"], w["quantity"], w["reason"])
                  for w in order["unassigned_lines"]) == [
        ("MUG-1", 1, "SPLIT_BY_CANCEL"), ("TEE-RED", 1, "SPLIT_BY_CANCEL")]
    assert {x["sku_code"]: x["cancelled_quantity"] for x in order["lines"]} == {
        "TEE-RED": 1, "MUG-1": 0}
    # the rest is assigned again, and the order is partially cancelled
    ok(client.post(r.w.url(f"/orders/{created['order_id']}/assign"), json={"assignments": [
        {"line_id": ids["TEE-RED"], "quantity": 1, "supplier_id": r.first.supplier_id},
        {"line_id": ids["MUG-1"], "quantity": 1, "supplier_id": r.first.supplier_id}]},
        headers=r.w.headers))
    assert r.shop_order(created["order_id"])["status"] == "partially_cancelled"


def test_shipped_units_are_refused_and_nothing_changes(client: TestClient) -> None:
    r = routed(client)
    accepted = r.accepted("S-1", ("TEE-RED", 3))
    order_id, no = accepted["order_id"], accepted["dispatch_order_no"]
    line = accepted["lines"][0]["line_id"]
    ok(ship(client, r.first, no, "SF", "SF1234567890123", [(line, 1)]))
    before = r.shop_order(order_id)
    body = assert_problem(cancel(r, order_id, lines=[(line, 1)]), 409, "ALREADY_SHIPPED")
    assert body["line_id"] == line
    assert_problem(cancel(r, order_id), 409, "ALREADY_SHIPPED")
    assert r.shop_order(order_id) == before


def test_whole_cancel_takes_everything_not_shipped(client: TestClient) -> None:
    r, created = two_suppliers(client)
    tee = by_supplier(created, 0, r)["dispatch_order_no"]
    ok(act(client, r.first, tee, "accept"))
    ok(ship(client, r.first, tee, "SF", "SF1234567890123"))
    order = ok(cancel(r, created["order_id"]))
    assert order["status"] == "shipped"  # the live rest has all left
    assert by_supplier(order, 1, r)["status"] == "cancelled"
    assert by_supplier(order, 0, r)["status"] == "shipped"
    assert {x["sku_code"]: x["cancelled_quantity"] for x in order["lines"]} == {
        "TEE-RED": 0, "MUG-1": 1}
    assert_problem(cancel(r, created["order_id"]), 409, "ALREADY_SHIPPED")


def test_cancelling_twice_is_409_already_cancelled(client: TestClient) -> None:
    r = routed(client)
    created = r.order("T-1", ("TEE-RED", 2))
    line = line_ids(created)["TEE-RED"]
    ok(cancel(r, created["order_id"], lines=[(line, 2)]))
    before = r.shop_order(created["order_id"])
    body = assert_problem(cancel(r, created["order_id"], lines=[(line, 1)]), 409,
                          "ALREADY_CANCELLED")
    assert (body["line_id"], body["cancellable"]) == (line, 0)
    assert_problem(cancel(r, created["order_id"]), 409, "ALREADY_CANCELLED")
    assert r.shop_order(created["order_id"]) == before


def test_bad_lines_and_quantities(client: TestClient) -> None:
    r = routed(client)
    created = r.order("B-1", ("TEE-RED", 2))
    line = line_ids(created)["TEE-RED"]
    assert_problem(cancel(r, created["order_id"], lines=[(line + 999, 1)]), 422,
                   "LINE_NOT_FOUND")
    assert_problem(cancel(r, created["order_id"], lines=[(line, 3)]), 409,
                   "QUANTITY_EXCEEDS_REMAINING")
    assert_problem(cancel(r, created["order_id"], lines=[(line, 0)]), 422, "VALIDATION_FAILED")
    assert_problem(client.post(r.w.url(f"/orders/{created['order_id']}/cancel"), json={},
                               headers=r.w.headers), 422, "VALIDATION_FAILED")
    assert r.shop_order(created["order_id"])["status"] == "assigned"


def test_the_supplier_hears_of_the_cancel_and_which_units(client: TestClient) -> None:
    r = routed(client)
    created = r.order("H-1", ("TEE-RED", 2), ("MUG-1", 1))
    ids = line_ids(created)
    ok(cancel(r, created["order_id"], lines=[(ids["MUG-1"], 1)]))
    no = created["dispatch_orders"][0]["dispatch_order_no"]
    seen = ok(client.get(f"/api/v1/dispatch-orders/{no}/timeline",
                         headers=r.first.owner.headers))["items"]
    last = seen[-1]
    assert (last["type"], last["to_status"]) == ("dispatch_order.cancel", "cancelled")
    assert last["data"]["cancel_units"] == [{"line_id": ids["MUG-1"], "quantity": 1}]


def test_another_shops_order_is_404_on_both_paths(client: TestClient) -> None:
    r = routed(client)
    created = r.order("X-1", ("TEE-RED", 1))
    other = routed(client)
    url = other.w.url(f"/orders/{created['order_id']}")
    assert_problem(client.post(f"{url}/cancel", json={"reason": "x"}, headers=other.w.headers),
                   404, "ORDER_NOT_FOUND")
    assert_problem(client.patch(f"{url}/recipient", json={"name": "李四"},
                                headers=other.w.headers), 404, "ORDER_NOT_FOUND")
    mine = r.w.url(f"/orders/{created['order_id']}")
    assert_problem(client.post(f"{mine}/cancel", json={"reason": "x"}, headers=other.w.headers),
                   404, "SHOP_NOT_FOUND")
    assert r.shop_order(created["order_id"])["status"] == "assigned"
