"""The lifecycle through the API: accept, reject with rerouting, cancel and the supplier's
answer, holds, deliver/complete, auto-accept, the shop order following its dispatch orders."""

from __future__ import annotations

from fastapi.testclient import TestClient

from daifa.dispatch import lifecycle
from daifa.dispatch.models import DispatchOrder
from tests.api.support import assert_problem, ok
from tests.fulfilment.helpers import act, routed, ship, timeline_types


def test_supplier_accepts_and_the_timeline_says_so(client: TestClient) -> None:
    r = routed(client)
    dispatch = r.dispatch()
    no = dispatch["dispatch_order_no"]
    accepted = ok(act(client, r.first, no, "accept"))
    assert accepted["status"] == "accepted"
    assert accepted["accepted_at"] is not None
    assert "unit_price_fen" not in str(accepted)
    assert timeline_types(client, r.first, no) == [
        ("dispatch_order.created", "assigned"), ("dispatch_order.accept", "accepted")]


def test_accepting_twice_is_409_with_the_current_status(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted()["dispatch_order_no"]
    body = assert_problem(act(client, r.first, no, "accept"), 409, "INVALID_TRANSITION")
    assert body["current_status"] == "accepted"
    assert timeline_types(client, r.first, no)[-1] == ("dispatch_order.accept", "accepted")


def test_only_its_supplier_accepts_and_strangers_get_404(client: TestClient) -> None:
    r = routed(client)
    no = r.dispatch()["dispatch_order_no"]
    assert_problem(act(client, r.w, no, "accept"), 403, "SUPPLIER_ONLY")
    assert_problem(act(client, r.w.suppliers[1], no, "accept"), 404, "DISPATCH_ORDER_NOT_FOUND")
    assert_problem(act(client, r.first, "DO0000000000000099", "accept"), 404,
                   "DISPATCH_ORDER_NOT_FOUND")
    assert r.get(no)["status"] == "assigned"


def test_reject_goes_to_the_next_backup_in_the_same_request(client: TestClient) -> None:
    r = routed(client, suppliers=3)
    dispatch = r.dispatch("B-1", ("TEE-RED", 2), ("MUG-1", 1))
    no = dispatch["dispatch_order_no"]
    rejected = ok(act(client, r.first, no, "reject", {"reason": "out_of_stock"}))
    assert (rejected["status"], rejected["reject_reason"]) == ("rejected", "out_of_stock")
    order = r.shop_order(dispatch["order_id"])
    assert order["status"] == "assigned"
    live = [d for d in order["dispatch_orders"] if d["status"] == "assigned"]
    [backup] = live
    assert backup["supplier_id"] == r.w.suppliers[1].supplier_id
    assert backup["reassigned_from"] == no
    assert {line["reason"] for line in backup["lines"]} == {"backup"}
    routing = backup["lines"][0]["routing"]
    assert routing["skipped"] == [{"supplier_id": r.first.supplier_id, "why": "out_of_stock"}]
    assert routing["backups"] == [r.w.suppliers[2].supplier_id]
    assert backup["supply_total_fen"] == 3 * 1200
    # The rejecting supplier does not learn who took over.
    seen = str(ok(client.get(f"/api/v1/dispatch-orders/{no}/timeline",
                             headers=r.first.owner.headers)))
    assert r.w.suppliers[1].supplier_id not in seen
    assert backup["dispatch_order_no"] not in seen


def test_reject_with_no_backup_left_returns_the_units_to_the_shop(client: TestClient) -> None:
    r = routed(client, suppliers=1)
    dispatch = r.dispatch("B-2", ("TEE-RED", 2))
    ok(act(client, r.first, dispatch["dispatch_order_no"], "reject",
           {"reason": "cannot_ship_region"}))
    order = r.shop_order(dispatch["order_id"])
    assert order["status"] == "unassigned"
    [waiting] = order["unassigned_lines"]
    assert (waiting["quantity"], waiting["reason"]) == (2, "REJECTED")
    assert waiting["routing"]["why"] == "cannot_ship_region"
    types = [(e["type"], e["to_status"]) for e in order["timeline"]]
    assert ("shop_order.release", "unassigned") in types
    assert ("shop_order.rerouted", None) in types


def test_reject_reasons_are_checked(client: TestClient) -> None:
    r = routed(client)
    no = r.dispatch()["dispatch_order_no"]
    assert_problem(act(client, r.first, no, "reject", {"reason": "acceptance_timeout"}), 422,
                   "VALIDATION_FAILED")
    assert_problem(act(client, r.first, no, "reject", {}), 422, "VALIDATION_FAILED")
    assert r.get(no)["status"] == "assigned"


def test_reject_releases_stock_and_the_backup_takes_its_own(client: TestClient) -> None:
    r = routed(client, stock=5)
    dispatch = r.dispatch("S-1", ("TEE-RED", 2))
    stock = _stock(client, r)
    assert stock == (3, 5)
    ok(act(client, r.first, dispatch["dispatch_order_no"], "reject", {"reason": "other"}))
    assert _stock(client, r) == (5, 3)


def _stock(client: TestClient, r: object) -> tuple[int, int]:
    from tests.orders.test_assign import stock_of

    w = r.w  # type: ignore[attr-defined]
    return (stock_of(w, w.suppliers[0], "TEE-RED") or 0,  # type: ignore[return-value]
            stock_of(w, w.suppliers[1], "TEE-RED") or 0)


def test_shop_cancels_at_once_while_assigned(client: TestClient) -> None:
    r = routed(client)
    dispatch = r.dispatch()
    no = dispatch["dispatch_order_no"]
    assert_problem(act(client, r.first, no, "cancel", {"reason": "x"}), 403, "SHOP_ONLY")
    cancelled = ok(act(client, r.w, no, "cancel", {"reason": "buyer cancelled"}))
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "buyer cancelled")
    order = r.shop_order(dispatch["order_id"])
    assert order["status"] == "unassigned"
    assert order["unassigned_lines"][0]["reason"] == "CANCELLED"


def test_cancel_once_accepted_asks_the_supplier(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted()["dispatch_order_no"]
    asked = ok(act(client, r.w, no, "cancel", {"reason": "buyer cancelled"}))
    assert asked["status"] == "cancel_requested"
    assert_problem(ship(client, r.first, no, "SF", "SF1234567890123"), 409,
                   "INVALID_TRANSITION")
    refused = ok(act(client, r.first, no, "cancel/reject", {"note": "already packed"}))
    assert refused["status"] == "accepted"
    ok(act(client, r.w, no, "cancel", {"reason": "buyer insists"}))
    done = ok(act(client, r.first, no, "cancel/accept"))
    assert done["status"] == "cancelled"
    assert_problem(ship(client, r.first, no, "SF", "SF1234567890123"), 409,
                   "INVALID_TRANSITION")


def test_nothing_cancels_once_anything_shipped(client: TestClient) -> None:
    r = routed(client)
    accepted = r.accepted("C-1", ("TEE-RED", 2))
    no = accepted["dispatch_order_no"]
    line_id = accepted["lines"][0]["line_id"]
    ok(ship(client, r.first, no, "SF", "SF1234567890123", [(line_id, 1)]))
    body = assert_problem(act(client, r.w, no, "cancel", {"reason": "x"}), 409,
                          "INVALID_TRANSITION")
    assert body["current_status"] == "partially_shipped"


def test_holds_block_shipping_until_released(client: TestClient) -> None:
    r = routed(client)
    no = r.accepted()["dispatch_order_no"]
    held = ok(act(client, r.w, no, "hold", {"reason": "awaiting_payment"}))
    assert (held["status"], held["hold_reason"], held["held_by"]) == (
        "accepted", "awaiting_payment", "shop")
    assert_problem(act(client, r.first, no, "hold", {"reason": "other"}), 409,
                   "DISPATCH_ORDER_ON_HOLD")
    assert_problem(ship(client, r.first, no, "SF", "SF1234567890123"), 409,
                   "DISPATCH_ORDER_ON_HOLD")
    assert_problem(act(client, r.first, no, "hold/release"), 403, "HOLD_PLACED_BY_SHOP")
    released = ok(act(client, r.w, no, "hold/release"))
    assert released["hold_reason"] is None
    assert_problem(act(client, r.w, no, "hold/release"), 409, "NOT_ON_HOLD")
    ok(act(client, r.first, no, "hold", {"reason": "address_problem"}))
    ok(act(client, r.w, no, "hold/release"))  # the shop may release the supplier's hold
    assert ok(ship(client, r.first, no, "SF", "SF1234567890123"))["status"] == "shipped"
    assert_problem(act(client, r.first, no, "hold", {"reason": "other"}), 409,
                   "INVALID_TRANSITION")
    types = [t for t, _ in timeline_types(client, r.w, no)]
    assert types.count("dispatch_order.hold") == 2
    assert types.count("dispatch_order.release_hold") == 2


def test_deliver_and_complete_move_the_shop_order_too(client: TestClient) -> None:
    r = routed(client)
    accepted = r.accepted()
    no = accepted["dispatch_order_no"]
    ok(ship(client, r.first, no, "SF", "SF1234567890123"))
    assert r.shop_order(accepted["order_id"])["status"] == "shipped"
    hub = client.app.state.hub  # type: ignore[attr-defined]
    from sqlalchemy import select

    from daifa.context import Actor, Ctx
    from daifa.fulfilment.reactions import REACTIONS

    for move in (lifecycle.deliver, lifecycle.complete):
        with hub.db.unit_of_work() as session:
            ctx = Ctx(reactions=REACTIONS,
                      session=session, actor=Actor.system("test"), settings=hub.settings,
                      clock=hub.clock)
            order = session.scalar(select(DispatchOrder).where(
                DispatchOrder.dispatch_order_no == no))
            move(ctx, order)
    assert r.get(no)["status"] == "completed"
    assert r.shop_order(accepted["order_id"])["status"] == "completed"


def test_auto_accept_accepts_new_dispatch_orders_as_the_system(client: TestClient) -> None:
    r = routed(client)
    url = f"/api/v1/suppliers/{r.first.supplier_id}/settings"
    assert ok(client.get(url, headers=r.first.owner.headers))["auto_accept"] is False
    assert_problem(client.put(url, json={"auto_accept": True}, headers=r.w.headers), 404,
                   "SUPPLIER_NOT_FOUND")
    ok(client.put(url, json={"auto_accept": True}, headers=r.first.owner.headers))
    dispatch = r.dispatch("A-1")
    assert dispatch["status"] == "accepted"
    no = dispatch["dispatch_order_no"]
    assert r.get(no)["status"] == "accepted"
    timeline = ok(client.get(f"/api/v1/dispatch-orders/{no}/timeline",
                             headers=r.w.headers))["items"]
    assert [(e["type"], e["actor"], e["reason"]) for e in timeline][1] == (
        "dispatch_order.accept", "system:auto_accept", "auto_accept")


def test_shop_order_status_follows_through_release_and_manual_assignment(
        client: TestClient) -> None:
    r = routed(client)
    tee, mug = r.w.suppliers
    r.w.rule("products", "TEE", tee)
    r.w.rule("products", "MUG", mug)
    created = r.order("M-1", ("TEE-RED", 2), ("MUG-1", 1))
    order_id = created["order_id"]
    first, second = created["dispatch_orders"]
    ok(act(client, tee, first["dispatch_order_no"], "accept"))
    ok(ship(client, tee, first["dispatch_order_no"], "SF", "SF1234567890123"))
    assert r.shop_order(order_id)["status"] == "partially_shipped"
    ok(act(client, mug, second["dispatch_order_no"], "reject", {"reason": "out_of_stock"}))
    waiting = r.shop_order(order_id)
    assert waiting["status"] == "partially_assigned"
    line_id = waiting["unassigned_lines"][0]["line_id"]
    assigned = ok(client.post(r.w.url(f"/orders/{order_id}/assign"), json={"assignments": [
        {"line_id": line_id, "supplier_id": mug.supplier_id, "quantity": 1}]},
        headers=r.w.headers))
    assert assigned["status"] == "partially_shipped"
    third = next(d for d in assigned["dispatch_orders"] if d["status"] == "assigned")
    ok(act(client, mug, third["dispatch_order_no"], "accept"))
    ok(ship(client, mug, third["dispatch_order_no"], "ZTO", "73123456789012"))
    done = r.shop_order(order_id)
    assert done["status"] == "shipped"
    assert [len(d["shipments"]) for d in done["dispatch_orders"]] == [1, 0, 1]
