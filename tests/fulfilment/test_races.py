"""Races on one dispatch order, on SQLite and PostgreSQL: exactly one of two wins, the other
gets 409 with the current status, and nothing is half done.

Each racer has its own TestClient (request, unit of work, connection). On PostgreSQL a
statement hook holds both just before their deciding write (the conditional UPDATE of the
dispatch order), so the database decides; SQLite serialises writers.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.worker import SWEEPS, Worker
from tests.api.support import assert_problem, ok
from tests.e2e.concurrency import rendezvous
from tests.e2e.test_races import race
from tests.fulfilment.helpers import act, routed, ship

ROUNDS = 3
DECIDING = "UPDATE dispatch_orders SET status"


def _met(db: Database, met: list[int]) -> None:
    if db.engine.dialect.name == "postgresql":
        assert len(set(met)) == 2, "both racers must reach the deciding write together"


def _one_409(responses: list[httpx.Response], code: str = "INVALID_TRANSITION"
             ) -> tuple[httpx.Response, dict[str, Any]]:
    assert sorted(r.status_code for r in responses) == [200, 409], [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    return winner, assert_problem(next(r for r in responses if r.status_code == 409), 409, code)


def test_two_people_shipping_the_same_order(app: FastAPI, client: TestClient,
                                            db: Database) -> None:
    r = routed(client)
    for index in range(ROUNDS):
        no = r.accepted(f"RS-{index}", ("TEE-RED", 2))["dispatch_order_no"]
        first = f"SF10000000{index:05d}"
        second = f"SF20000000{index:05d}"
        with rendezvous(db, DECIDING) as met:
            responses = race(app, lambda c, n=no, t=first: ship(c, r.first, n, "SF", t),
                             lambda c, n=no, t=second: ship(c, r.first, n, "SF", t))
        _met(db, met)
        winner, problem = _one_409(responses)
        assert problem["current_status"] == "shipped"
        now = r.get(no)
        assert now["status"] == "shipped"
        assert [line["shipped_quantity"] for line in now["lines"]] == [2]
        assert [p["tracking_no"] for p in now["shipments"]] == [
            winner.json()["shipments"][0]["tracking_no"]]


def test_partial_shipments_racing_never_overship(app: FastAPI, client: TestClient,
                                                 db: Database) -> None:
    r = routed(client)
    for index in range(ROUNDS):
        accepted = r.accepted(f"RP-{index}", ("TEE-RED", 3))
        no, line = accepted["dispatch_order_no"], accepted["lines"][0]["line_id"]
        with rendezvous(db, DECIDING) as met:
            responses = race(
                app, lambda c, n=no, i=index, x=line: ship(c, r.first, n, "SF",
                                                           f"SF3{i:012d}", [(x, 2)]),
                lambda c, n=no, i=index, x=line: ship(c, r.first, n, "SF", f"SF4{i:012d}",
                                                      [(x, 2)]))
        _met(db, met)
        _, problem = _one_409(responses, "QUANTITY_EXCEEDS_REMAINING")
        assert problem["remaining"] == 1
        now = r.get(no)
        assert (now["status"], now["lines"][0]["shipped_quantity"]) == ("partially_shipped", 2)
        assert len(now["shipments"]) == 1


def test_ship_against_cancel(app: FastAPI, client: TestClient, db: Database) -> None:
    r = routed(client)
    seen = set()
    for index in range(ROUNDS):
        no = r.accepted(f"RC-{index}")["dispatch_order_no"]
        with rendezvous(db, DECIDING) as met:
            shipped, cancelled = race(
                app, lambda c, n=no, i=index: ship(c, r.first, n, "SF", f"SF5{i:012d}"),
                lambda c, n=no: act(c, r.w, n, "cancel", {"reason": "buyer cancelled"}))
        _met(db, met)
        _, problem = _one_409([shipped, cancelled])
        final = r.get(no)["status"]
        assert final in ("shipped", "cancel_requested")
        assert problem["current_status"] == final
        if final == "cancel_requested":
            assert r.get(no)["shipments"] == []
            assert_problem(ship(client, r.first, no, "SF", f"SF6{index:012d}"), 409,
                           "INVALID_TRANSITION")
        seen.add(final)
    assert seen


def test_reassign_against_accept(app: FastAPI, client: TestClient, db: Database) -> None:
    r = routed(client)
    backup = r.w.suppliers[1]
    for index in range(ROUNDS):
        dispatch = r.dispatch(f"RR-{index}")
        no = dispatch["dispatch_order_no"]
        with rendezvous(db, DECIDING) as met:
            accepted, reassigned = race(
                app, lambda c, n=no: act(c, r.first, n, "accept"),
                lambda c, n=no: c.post(r.w.url(f"/dispatch-orders/{n}/reassign"),
                                       json={"supplier_id": backup.supplier_id},
                                       headers=r.w.headers))
        _met(db, met)
        _, problem = _one_409([accepted, reassigned])
        order = r.shop_order(dispatch["order_id"])
        live = [d for d in order["dispatch_orders"] if d["status"] not in ("cancelled",)]
        assert len(live) == 1
        if accepted.status_code == 200:
            assert (live[0]["dispatch_order_no"], problem["current_status"]) == (no, "accepted")
        else:
            assert live[0]["supplier_id"] == backup.supplier_id
            assert problem["current_status"] == "cancelled"


def _racers(app: FastAPI, r: Any, worker: Worker, start: threading.Barrier,
            no: str) -> tuple[Any, Any]:
    def accept() -> httpx.Response:
        with TestClient(app) as own:
            start.wait(timeout=10)
            return act(own, r.first, no, "accept")

    def sweep() -> int:
        start.wait(timeout=10)
        return worker.run_sweeps()["dispatch_orders.expire"]

    return accept, sweep


def test_accept_against_the_acceptance_deadline_sweep(app: FastAPI, client: TestClient,
                                                      db: Database, settings: Settings,
                                                      clock: FrozenClock) -> None:
    r = routed(client, suppliers=1)  # no backup: an expired order's units go back
    worker = Worker(settings=settings, db=db, clock=clock, name="race-worker",
                    sweeps={"dispatch_orders.expire": SWEEPS["dispatch_orders.expire"]})
    outcomes = set()
    for index in range(ROUNDS):
        dispatch = r.dispatch(f"RT-{index}")
        no = dispatch["dispatch_order_no"]
        clock.advance(timedelta(hours=25))
        start = threading.Barrier(2)
        accept, sweep = _racers(app, r, worker, start, no)
        with rendezvous(db, DECIDING) as met, ThreadPoolExecutor(max_workers=2) as pool:
            accepted_future, swept_future = pool.submit(accept), pool.submit(sweep)
            accepted, swept = accepted_future.result(60), swept_future.result(60)
        _met(db, met)
        status = r.get(no)["status"]
        if accepted.status_code == 200:
            assert (swept, status) == (0, "accepted")
        else:
            problem = assert_problem(accepted, 409, "INVALID_TRANSITION")
            assert (swept, status, problem["current_status"]) == (1, "rejected", "rejected")
            assert ok(client.get(r.w.url(f"/orders/{dispatch['order_id']}"),
                                 headers=r.w.headers))["status"] == "unassigned"
        outcomes.add(status)
    assert outcomes
