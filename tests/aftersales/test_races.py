"""Races on SQLite and PostgreSQL, decided by conditional UPDATEs: of two people (or a person
and the worker) acting at once exactly one wins and the other gets a clear 409."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.worker import SWEEPS, Worker
from tests.aftersales.helpers import case_action, claimed_units, get_case, shipped
from tests.api.support import assert_problem, ok
from tests.e2e.concurrency import rendezvous
from tests.e2e.test_races import race

ROUNDS = 4


def _met(db: Database, met: list[int]) -> None:
    if db.engine.dialect.name == "postgresql":
        assert len(set(met)) == 2, "both racers must reach the deciding write together"


def test_two_cases_for_the_last_units(app: FastAPI, client: TestClient, db: Database) -> None:
    for index in range(ROUNDS):
        s = shipped(client, external_id=f"RC-{index}")
        with rendezvous(db, "UPDATE dispatch_lines SET claimed_quantity") as met:
            responses = race(app, lambda c, s=s: s.open("refund_only", [("TEE-RED", 2)]),
                             lambda c, s=s: s.open("return_and_refund", [("TEE-RED", 2)]))
        _met(db, met)
        assert sorted(r.status_code for r in responses) == [201, 409], [r.text for r in responses]
        problem = assert_problem(next(r for r in responses if r.status_code == 409), 409,
                                 "QUANTITY_EXCEEDS_ELIGIBLE")
        assert problem["eligible"] == 0
    assert claimed_units(client) == 2 * ROUNDS


def test_the_supplier_approves_while_silence_approves(app: FastAPI, client: TestClient,
                                                     db: Database, settings: Settings,
                                                     clock: FrozenClock) -> None:
    worker = Worker(settings=settings, db=db, clock=clock, name="race-worker",
                    sweeps={"after_sales.answer_due": SWEEPS["after_sales.answer_due"]})
    winners = set()
    for index in range(ROUNDS):
        s = shipped(client, external_id=f"RA-{index}")
        no = s.opened("refund_only", [("TEE-RED", 1)])["case_no"]
        clock.advance(timedelta(hours=49))
        start = threading.Barrier(2)

        def approve(no: str = no, who: object = s.first,
                    start: threading.Barrier = start) -> httpx.Response:
            with TestClient(app) as own:
                start.wait(timeout=10)
                return case_action(own, who, no, "approve")

        def sweep(start: threading.Barrier = start) -> int:
            start.wait(timeout=10)
            return worker.run_sweeps()["after_sales.answer_due"]

        with rendezvous(db, "UPDATE after_sale_cases SET status") as met, \
                ThreadPoolExecutor(max_workers=2) as pool:
            approved_future, swept_future = pool.submit(approve), pool.submit(sweep)
            approved, swept = approved_future.result(60), swept_future.result(60)
        _met(db, met)
        case = ok(get_case(client, s.w, no))
        assert case["status"] == "closed"
        if approved.status_code == 200:
            assert (swept, case["auto_approved"]) == (0, False)
        else:
            assert_problem(approved, 409, "INVALID_TRANSITION")
            assert (swept, case["auto_approved"]) == (1, True)
        assert [e["type"] for e in case["timeline"]].count("after_sale.approve_refund") == 1
        winners.add(case["auto_approved"])
    assert winners
