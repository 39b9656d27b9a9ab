"""Manual assignment (one order, bulk), reassignment, stock, and the unbinding guard."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from fastapi.testclient import TestClient

from daifa.audit import service as audit
from daifa.context import Actor, Ctx
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import DISPATCH_TRANSITIONS
from daifa.fulfilment.reactions import REACTIONS
from daifa.kit import ids
from tests import factories as f
from tests.api.support import assert_problem, ok
from tests.catalog.helpers import second_supplier
from tests.orders.helpers import Supplier, World, order_body, reasons, world


def assign(w: World, order: dict[str, Any], *parts: tuple[int, Supplier | str, int],
           **headers: str) -> httpx.Response:
    """parts: (line index, supplier, quantity)."""
    body = {"assignments": [
        {"line_id": order["lines"][index]["line_id"],
         "supplier_id": s if isinstance(s, str) else s.supplier_id, "quantity": quantity}
        for index, s, quantity in parts]}
    return w.client.post(w.url(f"/orders/{order['order_id']}/assign"), json=body,
                         headers={**w.headers, **headers})


def stock_of(w: World, supplier: Supplier, sku: str) -> int | None:
    spu = f"X{supplier.index}-{sku.split('-')[0]}"
    product = ok(w.client.get(f"/api/v1/suppliers/{supplier.supplier_id}/products/{spu}",
                              headers=supplier.owner.headers))
    stock: int | None = next(s["stock"] for s in product["skus"]
                             if s["sku_code"] == supplier.code(sku))
    return stock


def test_manual_assignment_sends_a_line_to_a_supplier(client: TestClient) -> None:
    w = world(client)
    a, _ = w.suppliers
    order = w.order(order_body("M-1", ("TEE-RED", 2), ("MUG-1", 1)))
    updated = ok(assign(w, order, (0, a, 2)))
    assert updated["status"] == "partially_assigned"
    assert reasons(updated) == {"TEE-RED": [(a.supplier_id, 2, "manual")],
                                "MUG-1": "MANUAL_MODE"}
    (dispatch,) = updated["dispatch_orders"]
    assert dispatch["lines"][0]["supplier_sku_code"] == "X1-TEE-RED"
    assert dispatch["lines"][0]["supply_price_fen"] == 1100
    done = ok(assign(w, updated, (1, a, 1)))
    assert done["status"] == "assigned" and done["unassigned_lines"] == []
    assert [d["dispatch_order_no"][-2:] for d in done["dispatch_orders"]] == ["01", "02"]


def test_one_line_may_be_split_across_suppliers(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    order = w.order(order_body("M-1", ("TEE-RED", 5)))
    updated = ok(assign(w, order, (0, a, 3), (0, b, 2)))
    assert updated["status"] == "assigned"
    assert sorted(reasons(updated)["TEE-RED"]) == sorted([(a.supplier_id, 3, "manual"),
                                                          (b.supplier_id, 2, "manual")])
    assert len(updated["dispatch_orders"]) == 2


def test_partial_assignment_leaves_the_rest_waiting(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    order = w.order(order_body("M-1", ("TEE-RED", 5)))
    updated = ok(assign(w, order, (0, a, 2)))
    assert [(u["quantity"], u["reason"]) for u in updated["unassigned_lines"]] == [
        (3, "MANUAL_MODE")]
    assert_problem(assign(w, updated, (0, b, 4)), 409, "QUANTITY_EXCEEDS_REMAINING")
    assert ok(assign(w, updated, (0, b, 3)))["status"] == "assigned"


def test_assigning_more_than_waits_is_409(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    order = w.order(order_body("M-1", ("TEE-RED", 2)))
    assert_problem(assign(w, order, (0, a, 3)), 409, "QUANTITY_EXCEEDS_REMAINING")
    assert_problem(assign(w, order, (0, a, 1), (0, b, 2)), 409, "QUANTITY_EXCEEDS_REMAINING")
    assert ok(client.get(w.url(f"/orders/{order['order_id']}"),
                         headers=w.headers))["status"] == "unassigned"


def test_supplier_must_be_active_and_bound(client: TestClient) -> None:
    w = world(client)
    a, _ = w.suppliers
    order = w.order(order_body("M-1", ("TEE-RED", 1)))
    stranger = f.supplier(client, f.person(client), approve_with=w.platform)
    assert_problem(assign(w, order, (0, stranger, 1)), 422, "SUPPLIER_NOT_BOUND")
    ok(client.post(f"/api/v1/admin/suppliers/{a.supplier_id}/suspend",
                   headers=w.platform.headers))
    assert_problem(assign(w, order, (0, a, 1)), 422, "SUPPLIER_NOT_BOUND")


def test_supplier_ids_are_checked_like_everywhere(client: TestClient) -> None:
    w = world(client, suppliers=1)
    order = w.order(order_body("M-1", ("TEE-RED", 1)))
    assert_problem(assign(w, order, (0, w.shop_id, 1)), 422, "NOT_A_SUPPLIER_ID")
    assert_problem(assign(w, order, (0, "SP2345678", 1)), 422, "INVALID_SUPPLIER_ID")
    missing = "SPZZZZZZ" + ids.check_char("ZZZZZZ")
    assert_problem(assign(w, order, (0, missing, 1)), 404, "SUPPLIER_NOT_FOUND")


def test_supplier_without_a_source_for_the_sku_is_422(client: TestClient) -> None:
    w = world(client, suppliers=1)
    _, unmapped = second_supplier(client, w.merchant, w.shop_id, w.platform)
    order = w.order(order_body("M-1", ("TEE-RED", 1)))
    assert_problem(assign(w, order, (0, unmapped, 1)), 422, "NO_SOURCE")


def test_unknown_line_and_unknown_sku_are_422(client: TestClient) -> None:
    w = world(client, suppliers=1)
    (a,) = w.suppliers
    order = w.order(order_body("M-1", ("TEE-RED", 1), ("NOPE", 1)))
    body = {"assignments": [{"line_id": 987654, "supplier_id": a.supplier_id, "quantity": 1}]}
    assert_problem(client.post(w.url(f"/orders/{order['order_id']}/assign"), json=body,
                               headers=w.headers), 422, "LINE_NOT_FOUND")
    assert_problem(assign(w, order, (1, a, 1)), 422, "UNKNOWN_SKU")


def test_another_shops_order_is_404(client: TestClient) -> None:
    w1, w2 = world(client, suppliers=1), world(client, suppliers=1)
    order = w1.order(order_body("M-1"))
    body = {"assignments": [{"line_id": order["lines"][0]["line_id"],
                             "supplier_id": w2.suppliers[0].supplier_id, "quantity": 1}]}
    foreign = client.post(w2.url(f"/orders/{order['order_id']}/assign"), json=body,
                          headers=w2.headers)
    missing = client.post(w2.url("/orders/999999/assign"), json=body, headers=w2.headers)
    assert_problem(foreign, 404, "ORDER_NOT_FOUND")
    assert foreign.json()["detail"] == missing.json()["detail"]


def test_assignment_reserves_stock_and_refuses_what_is_not_there(client: TestClient) -> None:
    w = world(client, stock=3)
    a, _ = w.suppliers
    order = w.order(order_body("M-1", ("TEE-RED", 5)))
    assert_problem(assign(w, order, (0, a, 4)), 409, "OUT_OF_STOCK")
    ok(assign(w, order, (0, a, 3)))
    assert stock_of(w, a, "TEE-RED") == 0


def test_routing_takes_stock_and_falls_through_to_backup(client: TestClient) -> None:
    w = world(client, stock=3)
    a, b = w.suppliers
    w.settings("by_product")
    w.rule("products", "TEE", a, b)
    first = w.order(order_body("R-1", ("TEE-RED", 2)))
    second = w.order(order_body("R-2", ("TEE-RED", 2)))
    assert reasons(first)["TEE-RED"] == [(a.supplier_id, 2, "product_rule")]
    assert reasons(second)["TEE-RED"] == [(b.supplier_id, 2, "backup")]
    assert second["lines"][0]["assignments"][0]["routing"]["skipped"] == [
        {"supplier_id": a.supplier_id, "why": "out_of_stock"}]
    assert (stock_of(w, a, "TEE-RED"), stock_of(w, b, "TEE-RED")) == (1, 1)


def test_concurrent_assignments_never_drive_stock_negative(client: TestClient) -> None:
    w = world(client, stock=4)
    a, _ = w.suppliers
    orders = [w.order(order_body(f"C-{n}", ("TEE-RED", 1))) for n in range(10)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda o: assign(w, o, (0, a, 1)), orders))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200] * 4 + [409] * 6
    assert {r.json()["code"] for r in answers if r.status_code == 409} == {"OUT_OF_STOCK"}
    assert stock_of(w, a, "TEE-RED") == 0


def test_concurrent_assignments_of_one_line_never_over_assign(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    order = w.order(order_body("C-1", ("TEE-RED", 3)))
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda s: assign(w, order, (0, s, 2)), [a, b] * 3))
    assert sorted(r.status_code for r in answers) == [200] + [409] * 5
    final = ok(client.get(w.url(f"/orders/{order['order_id']}"), headers=w.headers))
    assert final["lines"][0]["assigned_quantity"] == 2


# --- bulk -------------------------------------------------------------------------------------

def test_unassigned_queue_and_bulk_assignment(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    waiting = [w.order(order_body(f"Q-{n}", ("TEE-RED", 2))) for n in range(3)]
    ok(assign(w, waiting[2], (0, a, 2)))
    queue = ok(client.get(w.url("/orders?unassigned=true"), headers=w.headers))["items"]
    assert [o["external_id"] for o in queue] == ["Q-1", "Q-0"]
    body = {"assignments": [
        {"order_id": waiting[0]["order_id"], "line_id": waiting[0]["lines"][0]["line_id"],
         "supplier_id": a.supplier_id, "quantity": 2},
        {"order_id": waiting[1]["order_id"], "line_id": waiting[1]["lines"][0]["line_id"],
         "supplier_id": b.supplier_id, "quantity": 5},
        {"order_id": "424242", "line_id": 1, "supplier_id": b.supplier_id, "quantity": 1},
    ]}
    items = ok(client.post(w.url("/orders:assign"), json=body, headers=w.headers))["items"]
    assert items[0]["status"] == "assigned" and len(items[0]["dispatch_order_nos"]) == 1
    assert items[1]["error"]["code"] == "QUANTITY_EXCEEDS_REMAINING"
    assert items[2] == {"order_id": "424242", "error": items[2]["error"]}
    assert items[2]["error"]["code"] == "ORDER_NOT_FOUND"
    queue = ok(client.get(w.url("/orders?unassigned=true"), headers=w.headers))["items"]
    assert [o["external_id"] for o in queue] == ["Q-1"]


# --- reassign ---------------------------------------------------------------------------------

def _routed(w: World, external_id: str = "R-1") -> dict[str, Any]:
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    return w.order(order_body(external_id, ("TEE-RED", 2), ("MUG-1", 1)))


def reassign(w: World, no: str, supplier: Supplier | str) -> httpx.Response:
    target = supplier if isinstance(supplier, str) else supplier.supplier_id
    return w.client.post(w.url(f"/dispatch-orders/{no}/reassign"),
                         json={"supplier_id": target}, headers=w.headers)


def test_reassign_moves_a_dispatch_order_to_another_supplier(client: TestClient) -> None:
    w = world(client, stock=10)
    a, b = w.suppliers
    order = _routed(w)
    old = order["dispatch_orders"][0]["dispatch_order_no"]
    new = ok(reassign(w, old, b))
    assert (new["supplier_id"], new["status"], new["reassigned_from"]) == (
        b.supplier_id, "assigned", old)
    assert [ln["supplier_sku_code"] for ln in new["lines"]] == ["X2-TEE-RED", "X2-MUG-1"]
    assert new["ship_by"] == order["dispatch_orders"][0]["ship_by"]
    after = ok(client.get(w.url(f"/orders/{order['order_id']}"), headers=w.headers))
    assert [(d["supplier_id"], d["status"]) for d in after["dispatch_orders"]] == [
        (a.supplier_id, "cancelled"), (b.supplier_id, "assigned")]
    assert after["status"] == "assigned"
    assert reasons(after)["TEE-RED"] == [(b.supplier_id, 2, "manual")]
    assert (stock_of(w, a, "TEE-RED"), stock_of(w, b, "TEE-RED")) == (10, 8)
    timeline = ok(client.get(f"/api/v1/dispatch-orders/{old}/timeline", headers=w.headers))
    assert [(e["type"], e["to_status"], e["reason"]) for e in timeline["items"]] == [
        ("dispatch_order.created", "assigned", None),
        ("dispatch_order.reassign", "cancelled", "reassigned")]


def test_reassign_to_the_same_supplier_is_422(client: TestClient) -> None:
    w = world(client)
    order = _routed(w)
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    assert_problem(reassign(w, no, w.suppliers[0]), 422, "SAME_SUPPLIER")


def test_reassign_checks_the_new_supplier(client: TestClient) -> None:
    w = world(client)
    order = _routed(w)
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    _, unmapped = second_supplier(client, w.merchant, w.shop_id, w.platform)
    assert_problem(reassign(w, no, unmapped), 422, "NO_SOURCE")
    stranger = f.supplier(client, f.person(client), approve_with=w.platform)
    assert_problem(reassign(w, no, stranger), 422, "SUPPLIER_NOT_BOUND")


def _accept(client: TestClient, no: str) -> None:
    """The supplier's accept (the dispatch-order endpoint), through the same transition table."""
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=hub.settings,
                  clock=hub.clock)
        dispatch = session.query(DispatchOrder).filter_by(dispatch_order_no=no).one()
        audit.fire(ctx, DISPATCH_TRANSITIONS, dispatch, "accept",
                   subject=("dispatch_order", no))


def test_reassign_after_the_supplier_accepted_is_409(client: TestClient) -> None:
    w = world(client)
    order = _routed(w)
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    _accept(client, no)
    assert_problem(reassign(w, no, w.suppliers[1]), 409, "INVALID_TRANSITION")


def test_reassign_of_another_shops_dispatch_order_is_404(client: TestClient) -> None:
    w1, w2 = world(client), world(client)
    no = _routed(w1)["dispatch_orders"][0]["dispatch_order_no"]
    assert_problem(reassign(w2, no, w2.suppliers[1]), 404, "DISPATCH_ORDER_NOT_FOUND")
    assert_problem(reassign(w2, "DO2611250000999901", w2.suppliers[1]), 404,
                   "DISPATCH_ORDER_NOT_FOUND")


def test_unbinding_waits_until_dispatch_orders_are_reassigned(client: TestClient) -> None:
    w = world(client)
    a, b = w.suppliers
    no = _routed(w)["dispatch_orders"][0]["dispatch_order_no"]
    w.settings("manual")
    unbind = client.delete(w.url(f"/bindings/{a.supplier_id}"), headers=w.headers)
    assert_problem(unbind, 409, "OPEN_DISPATCH_ORDERS")
    supplier_side = client.delete(f"/api/v1/suppliers/{a.supplier_id}/bindings/{w.shop_id}",
                                  headers=a.owner.headers)
    assert_problem(supplier_side, 409, "OPEN_DISPATCH_ORDERS")
    ok(reassign(w, no, b))
    assert ok(client.delete(w.url(f"/bindings/{a.supplier_id}"),
                            headers=w.headers))["status"] == "ended"
