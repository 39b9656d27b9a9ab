"""Opening cases and each type's way to closing, through the public API."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from daifa.kit.clock import FrozenClock
from daifa.worker import Worker
from tests.aftersales.helpers import (
    case_action,
    claimed_units,
    get_case,
    return_address,
    shipped,
)
from tests.api.support import assert_problem, ok
from tests.orders.helpers import order_body

PAID = 5900  # a unit, as order_body sells it


def test_a_refund_approved_closes_with_the_supplier_liable(client: TestClient) -> None:
    s = shipped(client)
    case = s.opened("refund_only", [("TEE-RED", 2)])
    assert case["status"] == "requested" and case["refund_fen"] == 2 * PAID
    assert case["supplier_id"] == s.first.supplier_id
    assert case["dispatch_order_no"] == s.order["dispatch_orders"][0]["dispatch_order_no"]
    assert case["reply_by"] == "2026-11-27T02:00:00Z"  # 48 hours
    assert case["allowed_actions"] == ["cancel"]
    seen = ok(get_case(client, s.first, case["case_no"]))
    assert seen["allowed_actions"] == ["approve", "reject"]
    closed = ok(case_action(client, s.first, case["case_no"], "approve"))
    assert (closed["status"], closed["liability"], closed["final_refund_fen"]) == (
        "closed", "supplier", 2 * PAID)
    roles = [(e["type"], e["actor_role"]) for e in closed["timeline"]]
    assert roles == [("after_sale.opened", "merchant"),
                     ("after_sale.approve_refund", "supplier")]


def test_the_refund_asked_may_be_less_but_never_more_than_paid(client: TestClient) -> None:
    s = shipped(client)
    problem = assert_problem(s.open("refund_only", [("TEE-RED", 1)], refund_fen=PAID + 1), 422,
                             "REFUND_EXCEEDS_PAID")
    assert (problem["refund_fen"], problem["paid_fen"]) == (PAID + 1, PAID)
    assert claimed_units(client) == 0  # nothing kept of the refused case
    assert s.opened("refund_only", [("TEE-RED", 1)], refund_fen=1000)["refund_fen"] == 1000


def test_never_more_units_than_shipped_and_not_already_claimed(client: TestClient) -> None:
    s = shipped(client)
    problem = assert_problem(s.open("refund_only", [("TEE-RED", 3)]), 409,
                             "QUANTITY_EXCEEDS_ELIGIBLE")
    assert (problem["quantity"], problem["eligible"]) == (3, 2)
    first = s.opened("refund_only", [("TEE-RED", 2)])
    assert_problem(s.open("return_and_refund", [("TEE-RED", 1)]), 409,
                   "QUANTITY_EXCEEDS_ELIGIBLE")
    ok(case_action(client, s.w, first["case_no"], "cancel", {"reason": "buyer withdrew"}))
    assert s.opened("return_and_refund", [("TEE-RED", 1)])["status"] == "requested"
    assert claimed_units(client) == 1


def test_units_not_shipped_cannot_be_claimed(client: TestClient) -> None:
    from tests.orders.helpers import world

    w = world(client, suppliers=1)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    order = w.order(order_body("NS-1", ("TEE-RED", 2)))
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    ok(client.post(f"/api/v1/dispatch-orders/{no}/accept", headers=w.suppliers[0].owner.headers))
    line_id = order["lines"][0]["line_id"]
    response = client.post(w.url(f"/orders/{order['order_id']}/after-sales"),
                           json={"type": "refund_only", "reason": "quality",
                                 "lines": [{"line_id": line_id, "quantity": 1}]},
                           headers=w.headers)
    assert assert_problem(response, 409, "QUANTITY_EXCEEDS_ELIGIBLE")["eligible"] == 0
    unknown = client.post(w.url(f"/orders/{order['order_id']}/after-sales"),
                          json={"type": "refund_only", "reason": "quality",
                                "lines": [{"line_id": 999999, "quantity": 1}]},
                          headers=w.headers)
    assert_problem(unknown, 422, "LINE_NOT_FOUND")


def test_the_window_closes_after_delivery(client: TestClient, clock: FrozenClock,
                                          worker: Worker) -> None:
    s = shipped(client)
    s.deliver(clock.now())
    worker.run_due_jobs()
    clock.advance(timedelta(days=7))
    assert s.opened("refund_only", [("TEE-RED", 1)])["status"] == "requested"
    clock.advance(timedelta(seconds=1))
    problem = assert_problem(s.open("refund_only", [("MUG-1", 1)]), 409,
                             "AFTER_SALES_WINDOW_CLOSED")
    assert problem["dispatch_order_no"] == s.order["dispatch_orders"][0]["dispatch_order_no"]


def test_one_case_per_supplier_that_shipped_with_the_refund_split(client: TestClient) -> None:
    s = shipped(client, suppliers=2)
    items = ok(s.open("refund_only", [("TEE-RED", 2), ("MUG-1", 1)], refund_fen=9000),
               201)["items"]
    assert sorted((c["supplier_id"], c["refund_fen"], len(c["lines"])) for c in items) == sorted(
        [(s.w.suppliers[0].supplier_id, 6000, 1), (s.w.suppliers[1].supplier_id, 3000, 1)])
    listed = ok(client.get(f"/api/v1/suppliers/{s.w.suppliers[1].supplier_id}/after-sales",
                           headers=s.w.suppliers[1].owner.headers))["items"]
    assert [c["lines"][0]["sku_code"] for c in listed] == ["MUG-1"]
    assert "unit_price_fen" not in str(listed) and "paid" not in str(listed)


def test_a_return_goes_to_the_return_address_and_is_refunded_on_receipt(
        client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("return_and_refund", [("TEE-RED", 1)], reason="quality")["case_no"]
    assert_problem(case_action(client, s.first, no, "approve"), 422, "RETURN_ADDRESS_REQUIRED")
    address = return_address(client, s.first)
    assert address["is_default"] is True  # the first one
    approved = ok(case_action(client, s.first, no, "approve"))
    assert approved["status"] == "awaiting_return"
    assert approved["return_address"]["address"]["city"] == "广州市"
    assert approved["return_by"] == "2026-12-02T02:00:00Z"
    assert_problem(case_action(client, s.first, no, "return-shipment",
                               {"carrier": "SF", "tracking_no": "SF1234567890123"}), 403,
                   "CASE_SHOP_ONLY")
    assert_problem(case_action(client, s.w, no, "return-shipment",
                               {"carrier": "飞鸽", "tracking_no": "SF1234567890123"}), 422,
                   "UNKNOWN_CARRIER")
    sent = ok(case_action(client, s.w, no, "return-shipment",
                          {"carrier": "顺丰", "tracking_no": " sf1234567890123 "}))
    assert sent["return_shipment"]["carrier"] == "SF"
    assert sent["return_shipment"]["tracking_no"] == "SF1234567890123"
    closed = ok(case_action(client, s.first, no, "receive", {"condition": "as_expected"}))
    assert (closed["status"], closed["liability"], closed["final_refund_fen"]) == (
        "closed", "supplier", PAID)
    assert [e["type"] for e in closed["timeline"]] == [
        "after_sale.opened", "after_sale.approve_return", "after_sale.send_return",
        "after_sale.receive", "after_sale.refund"]


def test_a_return_found_wanting_goes_to_the_platform(client: TestClient) -> None:
    s = shipped(client)
    return_address(client, s.first)
    no = s.opened("return_and_refund", [("TEE-RED", 2)])["case_no"]
    ok(case_action(client, s.first, no, "approve"))
    disputed = ok(case_action(client, s.first, no, "receive",
                              {"condition": "damaged", "note": "屏幕碎了"}))
    assert disputed["status"] == "return_received" and disputed["condition"] == "damaged"
    assert disputed["allowed_actions"] == ["escalate"]
    escalated = ok(case_action(client, s.first, no, "escalate", {"reason": "买家损坏"}))
    assert (escalated["status"], escalated["escalated_by"]) == ("in_arbitration", "supplier")
    queue = ok(client.get("/api/v1/admin/after-sales", headers=s.w.platform.headers))["items"]
    assert [c["case_no"] for c in queue] == [no]
    assert_problem(client.get("/api/v1/admin/after-sales", headers=s.w.headers), 403,
                   "FORBIDDEN")
    decide = {"liability": "buyer", "refund_fen": 2 * PAID + 1, "note": "照片显示人为损坏"}
    assert_problem(case_action(client, s.w, no, "decide", decide), 403, "FORBIDDEN")
    assert_problem(case_action(client, s.w.platform, no, "decide", decide), 422,
                   "REFUND_EXCEEDS_PAID")
    decided = ok(case_action(client, s.w.platform, no, "decide", {**decide, "refund_fen": 0}))
    assert (decided["status"], decided["liability"], decided["final_refund_fen"]) == (
        "closed", "buyer", 0)
    assert decided["decision_note"] == "照片显示人为损坏"
    assert decided["timeline"][-1]["actor_role"] == "platform"
    assert_problem(case_action(client, s.w.platform, no, "decide", {**decide, "refund_fen": 0}),
                   409, "INVALID_TRANSITION")


def test_a_rejection_the_shop_escalates(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only", [("MUG-1", 1)], reason="not_as_described")["case_no"]
    assert_problem(case_action(client, s.w, no, "reject", {"reason": "no_evidence"}), 403,
                   "CASE_SUPPLIER_ONLY")
    rejected = ok(case_action(client, s.first, no, "reject",
                              {"reason": "no_evidence", "note": "请补充照片"}))
    assert (rejected["status"], rejected["reject_reason"]) == ("rejected", "no_evidence")
    assert ok(get_case(client, s.w, no))["allowed_actions"] == ["cancel", "escalate"]
    escalated = ok(case_action(client, s.w, no, "escalate", {"reason": "买家有照片"}))
    assert escalated["escalated_by"] == "shop"
    assert escalated["timeline"][-1]["actor_role"] == "merchant"
    decided = ok(case_action(client, s.w.platform, no, "decide",
                             {"liability": "supplier", "refund_fen": PAID, "note": "货不对板"}))
    assert (decided["liability"], decided["final_refund_fen"]) == ("supplier", PAID)


def test_illegal_moves_are_409_with_the_current_status(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    ok(case_action(client, s.first, no, "approve"))
    for who, action, body in [(s.first, "approve", None),
                              (s.first, "reject", {"reason": "other"}),
                              (s.w, "cancel", None),
                              (s.w, "escalate", {"reason": "x"})]:
        problem = assert_problem(case_action(client, who, no, action, body), 409,
                                 "INVALID_TRANSITION")
        assert problem["current_status"] == "closed"
    assert ok(get_case(client, s.w, no))["allowed_actions"] == []


def test_a_reship_is_a_new_dispatch_order_and_closes_when_it_ships(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("reship", [("TEE-RED", 1)], reason="not_received")["case_no"]
    approved = ok(case_action(client, s.first, no, "approve"))
    assert approved["status"] == "approved" and approved["refund_fen"] == 0
    reship_no = approved["reship_dispatch_order_no"]
    reship = ok(client.get(f"/api/v1/dispatch-orders/{reship_no}", headers=s.w.headers))
    assert reship["status"] == "accepted" and reship["supplier_id"] == s.first.supplier_id
    assert [(line["sku_code"], line["quantity"]) for line in reship["lines"]] == [("TEE-RED", 1)]
    order = ok(client.get(s.w.url(f"/orders/{s.order_id}"), headers=s.w.headers))
    assert order["status"] == "shipped"  # the replacement is not the order's units
    ok(client.post(f"/api/v1/dispatch-orders/{reship_no}/ship",
                   json={"carrier": "SF", "tracking_no": "SF7777777777777"},
                   headers=s.first.owner.headers))
    closed = ok(get_case(client, s.w, no))
    assert (closed["status"], closed["liability"], closed["final_refund_fen"]) == (
        "closed", "supplier", 0)
    order = ok(client.get(s.w.url(f"/orders/{s.order_id}"), headers=s.w.headers))
    assert order["status"] == "shipped"
    # The units shipped twice are claimed once: nothing more may be claimed of them.
    assert_problem(s.open("refund_only", [("TEE-RED", 2)]), 409, "QUANTITY_EXCEEDS_ELIGIBLE")


def test_an_exchange_sends_the_other_sku_once_the_return_is_back(client: TestClient) -> None:
    s = shipped(client)
    return_address(client, s.first)
    assert_problem(s.open("exchange", [("TEE-RED", 1)], exchange_sku_code="NOPE"), 422,
                   "EXCHANGE_SKU_NOT_OFFERED")
    no = s.opened("exchange", [("TEE-RED", 1)], reason="wrong_item",
                  exchange_sku_code="TEE-BLUE")["case_no"]
    ok(case_action(client, s.first, no, "approve"))
    ok(case_action(client, s.w, no, "return-shipment",
                   {"carrier": "ZTO", "tracking_no": "73100000000001"}))
    replaced = ok(case_action(client, s.first, no, "receive", {"condition": "as_expected"}))
    assert replaced["status"] == "approved"
    reship = ok(client.get(f"/api/v1/dispatch-orders/{replaced['reship_dispatch_order_no']}",
                           headers=s.first.owner.headers))
    assert [(line["sku_code"], line["supplier_sku_code"]) for line in reship["lines"]] == [
        ("TEE-BLUE", s.first.code("TEE-BLUE"))]


def test_a_withdrawn_case_frees_its_units(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only", [("TEE-RED", 2)])["case_no"]
    assert claimed_units(client) == 2
    cancelled = ok(case_action(client, s.w, no, "cancel", {"reason": "买家撤销"}))
    assert cancelled["status"] == "cancelled" and cancelled["liability"] is None
    assert claimed_units(client) == 0
    assert_problem(case_action(client, s.first, no, "cancel"), 403, "CASE_SHOP_ONLY")


def test_lists_filter_by_status_and_type(client: TestClient) -> None:
    s = shipped(client)
    refund = s.opened("refund_only", [("TEE-RED", 1)])
    s.opened("reship", [("MUG-1", 1)])
    ok(case_action(client, s.first, refund["case_no"], "approve"))
    base = f"/api/v1/shops/{s.w.shop_id}/after-sales"
    assert [c["type"] for c in ok(client.get(base, headers=s.w.headers))["items"]] == [
        "reship", "refund_only"]
    closed = ok(client.get(f"{base}?status=closed", headers=s.w.headers))["items"]
    assert [c["case_no"] for c in closed] == [refund["case_no"]]
    reships = ok(client.get(f"{base}?type=reship&limit=1", headers=s.w.headers))
    assert len(reships["items"]) == 1 and reships["next_cursor"] is not None
    assert ok(client.get(f"{base}?type=reship&cursor={reships['next_cursor']}",
                         headers=s.w.headers))["items"] == []
    assert_problem(client.get(f"{base}?status=lost", headers=s.w.headers), 422,
                   "VALIDATION_FAILED")


def test_cases_are_on_the_order_timeline_for_the_shop_and_the_supplier(
        client: TestClient) -> None:
    s = shipped(client, suppliers=2)
    items = ok(s.open("refund_only", [("TEE-RED", 1), ("MUG-1", 1)]), 201)["items"]
    tee = next(c for c in items if c["supplier_id"] == s.w.suppliers[0].supplier_id)
    ok(case_action(client, s.w.suppliers[0], tee["case_no"], "reject", {"reason": "no_evidence"}))
    story = ok(client.get(s.w.url(f"/orders/{s.order_id}/timeline"), headers=s.w.headers))
    cases = [(e["object"]["id"], e["type"], e["actor_role"]) for e in story["items"]
             if e["object"]["type"] == "after_sale"]
    assert sorted(cases) == sorted([(c["case_no"], "after_sale.opened", "merchant")
                                    for c in items] + [(tee["case_no"], "after_sale.reject",
                                                        "supplier")])
    # The supplier of the T-shirt reads its dispatch order's story: its own case only.
    mine = ok(client.get(f"/api/v1/dispatch-orders/{tee['dispatch_order_no']}/timeline",
                         headers=s.w.suppliers[0].owner.headers))["items"]
    assert {e["object"]["id"] for e in mine if e["object"]["type"] == "after_sale"} == {
        tee["case_no"]}


def test_the_return_parcel_may_be_corrected_until_it_is_received(client: TestClient) -> None:
    s = shipped(client)
    return_address(client, s.first)
    no = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    ok(case_action(client, s.first, no, "approve"))
    ok(case_action(client, s.w, no, "return-shipment",
                   {"carrier": "SF", "tracking_no": "SF1111111111111"}))
    again = ok(case_action(client, s.w, no, "return-shipment",
                           {"carrier": "中通", "tracking_no": "73100000000009"}))
    assert (again["return_shipment"]["carrier"], again["return_shipment"]["tracking_no"]) == (
        "ZTO", "73100000000009")
    assert_problem(case_action(client, s.w, no, "return-shipment",
                               {"carrier": "SF", "tracking_no": "x"}), 422, "INVALID_TRACKING_NO")
    ok(case_action(client, s.first, no, "receive", {"condition": "as_expected"}))
    problem = assert_problem(case_action(client, s.w, no, "return-shipment",
                                         {"carrier": "SF", "tracking_no": "SF2222222222222"}),
                             409, "INVALID_TRANSITION")
    assert problem["current_status"] == "closed"


def test_a_replacement_shipped_by_file_closes_its_case(client: TestClient) -> None:
    s = shipped(client)
    other = s.w.order(order_body("AS-FILE-2", ("MUG-1", 1)))["dispatch_orders"][0]
    ok(client.post(f"/api/v1/dispatch-orders/{other['dispatch_order_no']}/accept",
                   headers=s.first.owner.headers))
    no = s.opened("reship", [("TEE-RED", 1)], reason="not_received")["case_no"]
    reship = ok(case_action(client, s.first, no, "approve"))["reship_dispatch_order_no"]
    sheet = ("dispatch_order_no,carrier,tracking_no\n"
             f"{reship},SF,SF6100000000001\n{other['dispatch_order_no']},SF,SF6100000000002\n")
    result = ok(client.post(f"/api/v1/suppliers/{s.first.supplier_id}/shipments:upload",
                            files={"file": ("ship.csv", sheet.encode(), "text/csv")},
                            headers=s.first.owner.headers))
    assert result["summary"]["shipped"] == 2
    case = ok(get_case(client, s.w, no))
    assert (case["status"], case["liability"]) == ("closed", "supplier")
