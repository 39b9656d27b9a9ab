"""A supplier the platform suspends: what it has not accepted goes to the backups like a
rejection (else back to the shop's queue), it cannot accept, the shop is told, and what it
accepted stays its to ship."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from daifa.config import Settings
from tests.api.support import assert_problem, ok
from tests.fulfilment.helpers import Routed, act, routed, ship
from tests.fulfilment.test_events import events
from tests.webhooks.helpers import register

URL = "http://127.0.0.1:9/hooks"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True})


def suspend(client: TestClient, r: Routed, index: int = 0, reason: str = "fraud check") -> None:
    supplier_id = r.w.suppliers[index].supplier_id
    ok(client.post(f"/api/v1/admin/suppliers/{supplier_id}/suspend", json={"reason": reason},
                   headers=r.w.platform.headers))


def test_suspension_reroutes_what_was_not_accepted(client: TestClient) -> None:
    r = routed(client)
    register(client, r.w.merchant, URL, org_id=r.w.shop_id)
    waiting = r.dispatch("SU-1", ("TEE-RED", 2))
    kept = r.accepted("SU-2", ("TEE-RED", 1))
    suspend(client, r)
    withdrawn = r.get(waiting["dispatch_order_no"])
    assert (withdrawn["status"], withdrawn["reject_reason"]) == ("rejected",
                                                                "supplier_suspended")
    order = r.shop_order(waiting["order_id"])
    assert order["status"] == "assigned"
    [backup] = [d for d in order["dispatch_orders"] if d["status"] == "assigned"]
    assert backup["supplier_id"] == r.w.suppliers[1].supplier_id
    assert backup["reassigned_from"] == waiting["dispatch_order_no"]
    skipped = backup["lines"][0]["routing"]["skipped"]
    assert skipped == [{"supplier_id": r.first.supplier_id, "why": "supplier_suspended"}]
    types = [(e["type"], e["reason"]) for e in order["timeline"]]
    assert ("dispatch_order.withdraw", "supplier_suspended") in types
    assert ("shop_order.rerouted", "supplier_suspended") in types
    # the shop is told where the units went
    [(_, told)] = [e for e in events(client, shop=r.w.shop_id)
                   if e[0] == "dispatch_order.withdrawn"]
    assert told["reason"] == "supplier_suspended"
    assert told["rerouted_to"] == [{"dispatch_order_no": backup["dispatch_order_no"],
                                    "supplier_id": r.w.suppliers[1].supplier_id}]
    # what it accepted stays its to ship
    no = kept["dispatch_order_no"]
    assert r.get(no)["status"] == "accepted"
    assert ok(ship(client, r.first, no, "SF", "SF1234567890123"))["status"] == "shipped"


def test_suspended_supplier_cannot_accept(client: TestClient) -> None:
    r = routed(client)
    no = r.dispatch("SU-3")["dispatch_order_no"]
    suspend(client, r)
    body = assert_problem(act(client, r.first, no, "accept"), 409, "SUPPLIER_SUSPENDED")
    assert body["supplier_id"] == r.first.supplier_id
    assert r.get(no)["status"] == "rejected"


def test_with_no_backup_the_units_wait_for_the_shop(client: TestClient) -> None:
    r = routed(client, suppliers=1)
    dispatch = r.dispatch("SU-4", ("TEE-RED", 2))
    suspend(client, r)
    order = r.shop_order(dispatch["order_id"])
    assert order["status"] == "unassigned"
    [waiting] = order["unassigned_lines"]
    assert (waiting["quantity"], waiting["reason"]) == (2, "REJECTED")
    assert waiting["routing"]["why"] == "supplier_suspended"


def test_reinstated_supplier_takes_work_again(client: TestClient) -> None:
    r = routed(client)
    suspend(client, r)
    ok(client.post(f"/api/v1/admin/suppliers/{r.first.supplier_id}/reinstate", json={},
                   headers=r.w.platform.headers))
    no = r.dispatch("SU-5")["dispatch_order_no"]
    assert ok(act(client, r.first, no, "accept"))["status"] == "accepted"
