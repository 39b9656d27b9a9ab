"""Order changes racing the supplier, on SQLite and PostgreSQL: exactly one side wins and
nothing is half done (the patterns of test_races.py)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from daifa.db.uow import Database
from tests.api.support import assert_problem, ok
from tests.e2e.concurrency import rendezvous
from tests.e2e.test_races import race
from tests.fulfilment.helpers import act, routed, ship, timeline_types
from tests.fulfilment.test_races import DECIDING, ROUNDS, _met


def test_cancelling_the_order_while_the_supplier_accepts(app: FastAPI, client: TestClient,
                                                         db: Database) -> None:
    r = routed(client, stock=50)
    seen = set()
    for index in range(ROUNDS):
        dispatch = r.dispatch(f"CA-{index}", ("TEE-RED", 2))
        no, order_id = dispatch["dispatch_order_no"], dispatch["order_id"]
        url = r.w.url(f"/orders/{order_id}/cancel")
        with rendezvous(db, DECIDING) as met:
            accepted, cancelled = race(
                app, lambda c, n=no: act(c, r.first, n, "accept"),
                lambda c, u=url: c.post(u, json={"reason": "buyer cancelled"},
                                        headers=r.w.headers))
        _met(db, met)
        order = r.shop_order(order_id)
        [now] = order["dispatch_orders"]
        if accepted.status_code == cancelled.status_code == 200:
            # the accept came first and the cancel saw it: a request the supplier answers
            assert now["status"] == "cancel_requested"
            assert now["lines"][0]["cancel_quantity"] == 2
            assert (order["status"], order["cancelled_quantity"]) == ("assigned", 0)
        elif accepted.status_code == 200:
            # both decided at once and the accept won: the cancel changed nothing
            problem = assert_problem(cancelled, 409, "INVALID_TRANSITION")
            assert (now["status"], problem["current_status"]) == ("accepted", "accepted")
            assert (order["status"], order["cancelled_quantity"]) == ("assigned", 0)
            assert now["lines"][0]["cancel_quantity"] == 0
            asked = ok(client.post(url, json={"reason": "again"}, headers=r.w.headers))
            assert asked["dispatch_orders"][0]["status"] == "cancel_requested"
        else:
            assert ok(cancelled)["status"] == "cancelled"
            problem = assert_problem(accepted, 409, "INVALID_TRANSITION")
            assert (now["status"], problem["current_status"]) == ("cancelled", "cancelled")
            assert (order["status"], order["cancelled_quantity"]) == ("cancelled", 2)
        seen.add(now["status"])
    assert seen


def test_suspending_the_supplier_while_it_accepts(app: FastAPI, client: TestClient,
                                                  db: Database) -> None:
    r = routed(client)
    dispatch = r.dispatch("SA-1", ("TEE-RED", 1))
    no = dispatch["dispatch_order_no"]
    url = f"/api/v1/admin/suppliers/{r.first.supplier_id}/suspend"
    with rendezvous(db, DECIDING) as met:
        accepted, suspended = race(
            app, lambda c: act(c, r.first, no, "accept"),
            lambda c: c.post(url, json={"reason": "audit"}, headers=r.w.platform.headers))
    _met(db, met)
    assert suspended.status_code == 200, suspended.text  # the suspension always goes through
    status = r.get(no)["status"]
    if accepted.status_code == 200:
        assert status == "accepted"  # accepted first: its to ship
    else:
        assert status == "rejected"
        code = accepted.json()["code"]
        assert code in ("INVALID_TRANSITION", "SUPPLIER_SUSPENDED")
        [backup] = [d for d in r.shop_order(dispatch["order_id"])["dispatch_orders"]
                    if d["status"] == "assigned"]
        assert backup["supplier_id"] == r.w.suppliers[1].supplier_id
    assert_problem(act(client, r.first, no, "accept"), 409, "SUPPLIER_SUSPENDED")


def test_correcting_the_recipient_while_the_supplier_ships(app: FastAPI, client: TestClient,
                                                           db: Database) -> None:
    r = routed(client)
    for index in range(ROUNDS):
        accepted = r.accepted(f"RS-{index}", ("TEE-RED", 1))
        no, order_id = accepted["dispatch_order_no"], accepted["order_id"]
        url = r.w.url(f"/orders/{order_id}/recipient")
        with rendezvous(db, "UPDATE dispatch_orders SET") as met:
            shipped, corrected = race(
                app, lambda c, n=no, i=index: ship(c, r.first, n, "SF", f"SF7{i:012d}"),
                lambda c, u=url: c.patch(u, json={"name": "李四"}, headers=r.w.headers))
        _met(db, met)
        assert ok(shipped)["status"] == "shipped"  # the shipment always goes through
        order = r.shop_order(order_id)
        changes = [e for e in order["timeline"] if e["type"] == "shop_order.recipient_changed"]
        if corrected.status_code == 200:
            # the change came first: on record, and told to the supplier before it shipped
            assert order["buyer"]["name"] == "李四" and len(changes) == 1
            types = [t for t, _ in timeline_types(client, r.first, no)]
            assert types.index("dispatch_order.recipient_changed") < types.index(
                "dispatch_order.ship_fully")
        else:
            assert_problem(corrected, 409, "ALREADY_SHIPPED")
            assert order["buyer"]["name"] == "张三" and changes == []
