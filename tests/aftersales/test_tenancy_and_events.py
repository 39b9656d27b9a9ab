"""Cases, their evidence and return addresses belong to two parties: everyone else gets 404.
Both parties hear of every step by webhook, without the buyer or what the buyer paid."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.webhooks.models import WebhookEvent
from tests import factories
from tests.aftersales.helpers import case_action, return_address, shipped
from tests.api.support import assert_problem, ok
from tests.webhooks.helpers import hub_ctx_run, register

CASE_ACTIONS = {"approve": None, "reject": {"reason": "other"},
                "return-shipment": {"carrier": "SF", "tracking_no": "SF1234567890123"},
                "receive": {"condition": "as_expected"}, "escalate": {"reason": "x"},
                "decide": {"liability": "buyer", "refund_fen": 0, "note": "x"}, "cancel": None}


def test_another_tenant_gets_404_for_every_case_path(client: TestClient) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    other = shipped(client, external_id="AS-9")  # another shop and supplier, with a case
    other_no = other.opened("refund_only")["case_no"]
    for who in (other.w, other.first):
        assert_problem(client.get(f"/api/v1/after-sales/{no}", headers=(
            who.headers if who is other.w else who.owner.headers)), 404, "AFTER_SALE_NOT_FOUND")
        for action, body in CASE_ACTIONS.items():
            headers = who.headers if who is other.w else who.owner.headers
            response = client.post(f"/api/v1/after-sales/{no}/{action}", json=body,
                                   headers=headers)
            assert_problem(response, 404, "AFTER_SALE_NOT_FOUND")
    missing = client.get("/api/v1/after-sales/AS00000000000000", headers=s.w.headers)
    malformed = client.get("/api/v1/after-sales/not-a-case", headers=s.w.headers)
    for response in (missing, malformed):
        assert_problem(response, 404, "AFTER_SALE_NOT_FOUND")
    # Another shop's order cannot be claimed through one's own shop.
    foreign = client.post(s.w.url(f"/orders/{other.order_id}/after-sales"),
                          json={"type": "refund_only", "reason": "other",
                                "lines": [{"line_id": other.line("TEE-RED"), "quantity": 1}]},
                          headers=s.w.headers)
    assert_problem(foreign, 404, "ORDER_NOT_FOUND")
    assert ok(client.get(f"/api/v1/after-sales/{other_no}", headers=other.w.headers))


def test_another_suppliers_return_address_is_404(client: TestClient) -> None:
    s = shipped(client, suppliers=2)
    mine, theirs = s.w.suppliers
    address = return_address(client, theirs)
    base = f"/api/v1/suppliers/{mine.supplier_id}/return-addresses"
    assert_problem(client.post(f"{base}/{address['id']}/default", headers=mine.owner.headers),
                   404, "RETURN_ADDRESS_NOT_FOUND")
    assert_problem(client.delete(f"{base}/{address['id']}", headers=mine.owner.headers), 404,
                   "RETURN_ADDRESS_NOT_FOUND")
    no = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    assert_problem(case_action(client, mine, no, "approve", {"return_address_id": address["id"]}),
                   404, "RETURN_ADDRESS_NOT_FOUND")
    listed = ok(client.get(base, headers=mine.owner.headers))["items"]
    assert listed == []


def test_return_addresses_keep_one_default_and_cases_keep_their_copy(
        client: TestClient) -> None:
    s = shipped(client)
    first = return_address(client, s.first)
    second = return_address(client, s.first, name="二号仓", is_default=True)
    base = f"/api/v1/suppliers/{s.first.supplier_id}/return-addresses"
    listed = ok(client.get(base, headers=s.first.owner.headers))["items"]
    assert [(a["id"], a["is_default"]) for a in listed] == [(second["id"], True),
                                                            (first["id"], False)]
    no = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    approved = ok(case_action(client, s.first, no, "approve"))
    assert approved["return_address"]["name"] == "二号仓"
    assert client.delete(f"{base}/{second['id']}",
                         headers=s.first.owner.headers).status_code == 204
    assert ok(client.get(f"/api/v1/after-sales/{no}", headers=s.w.headers))[
        "return_address"]["name"] == "二号仓"
    bad = client.post(base, json={"name": "x", "phone": "12", "address": {}},
                      headers=s.first.owner.headers)
    assert_problem(bad, 422, "VALIDATION_FAILED")


def test_both_sides_hear_each_step_without_the_buyer(client: TestClient) -> None:
    s = shipped(client)
    register(client, s.w.merchant, "https://hooks.example.com/shop", org_id=s.w.shop_id)
    register(client, s.first.owner, "https://hooks.example.com/supplier", org="suppliers",
             org_id=s.first.supplier_id, event_types=["after_sale.*"])
    return_address(client, s.first)
    no = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    ok(case_action(client, s.first, no, "approve"))
    ok(case_action(client, s.w, no, "return-shipment",
                   {"carrier": "SF", "tracking_no": "SF1234567890123"}))
    ok(case_action(client, s.first, no, "receive", {"condition": "as_expected"}))
    events = hub_ctx_run(client, lambda ctx: ctx.session.scalars(
        select(WebhookEvent).where(WebhookEvent.type.like("after_sale.%"))
        .order_by(WebhookEvent.id)).all())
    assert [e.type for e in events] == ["after_sale.opened", "after_sale.approved",
                                        "after_sale.return_sent", "after_sale.return_received",
                                        "after_sale.closed"]
    last = json.loads(events[-1].body)["data"]
    assert (last["case_no"], last["liability"], last["status"]) == (no, "supplier", "closed")
    text = " ".join(e.body for e in events)
    assert "张三" not in text and "13912345678" not in text and "paid" not in text


def test_a_stranger_cannot_list_or_open(client: TestClient) -> None:
    s = shipped(client)
    stranger = factories.person(client)
    assert_problem(client.get(f"/api/v1/shops/{s.w.shop_id}/after-sales",
                              headers=stranger.headers), 404, "SHOP_NOT_FOUND")
    assert_problem(s.client.post(s.w.url(f"/orders/{s.order_id}/after-sales"),
                                 json={"type": "refund_only", "reason": "other",
                                       "lines": [{"line_id": s.line("MUG-1"), "quantity": 1}]},
                                 headers=stranger.headers), 404, "SHOP_NOT_FOUND")
