"""Deadlines on a moved clock: the worker expires what was not accepted in time (→ backup or
back to the shop) and flags late shipments once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.worker import SWEEPS, Worker
from tests.api.support import ok
from tests.fulfilment.helpers import act, routed, ship, timeline_types


@pytest.fixture
def worker(settings: Settings, db: Database, clock: FrozenClock) -> Worker:
    return Worker(settings=settings, db=db, clock=clock, name="test-worker",
                  sweeps={name: SWEEPS[name] for name in ("dispatch_orders.expire",
                                                           "dispatch_orders.mark_late")})


def test_sweeps_are_registered() -> None:
    assert {"dispatch_orders.expire", "dispatch_orders.mark_late"} <= set(SWEEPS)


def test_not_accepted_in_time_goes_to_the_backup(client: TestClient, clock: FrozenClock,
                                                 worker: Worker) -> None:
    r = routed(client, suppliers=2)
    dispatch = r.dispatch("D-1")
    no = dispatch["dispatch_order_no"]
    assert dispatch["accept_by"] == "2026-11-26T02:00:00Z"
    clock.advance(timedelta(hours=23, minutes=59))
    assert worker.run_sweeps()["dispatch_orders.expire"] == 0
    clock.advance(timedelta(minutes=1))
    assert worker.run_sweeps()["dispatch_orders.expire"] == 1
    expired = r.get(no)
    assert (expired["status"], expired["reject_reason"]) == ("rejected", "acceptance_timeout")
    assert timeline_types(client, r.w, no)[-1] == ("dispatch_order.expire", "rejected")
    order = r.shop_order(dispatch["order_id"])
    [backup] = [d for d in order["dispatch_orders"] if d["status"] == "assigned"]
    assert backup["supplier_id"] == r.w.suppliers[1].supplier_id
    assert backup["lines"][0]["routing"]["skipped"] == [
        {"supplier_id": r.first.supplier_id, "why": "acceptance_timeout"}]
    assert backup["accept_by"] == "2026-11-27T02:00:00Z"
    assert worker.run_sweeps()["dispatch_orders.expire"] == 0
    clock.advance(timedelta(hours=24))
    assert worker.run_sweeps()["dispatch_orders.expire"] == 1
    order = r.shop_order(dispatch["order_id"])
    assert order["status"] == "unassigned"
    assert order["unassigned_lines"][0]["routing"]["why"] == "acceptance_timeout"


def test_accepted_in_time_is_left_alone(client: TestClient, clock: FrozenClock,
                                        worker: Worker) -> None:
    r = routed(client)
    no = r.accepted()["dispatch_order_no"]
    clock.advance(timedelta(hours=30))
    assert worker.run_sweeps()["dispatch_orders.expire"] == 0
    assert r.get(no)["status"] == "accepted"


def test_acceptance_window_comes_from_settings(client: TestClient, clock: FrozenClock,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client.app.state.hub.settings,  # type: ignore[attr-defined]
                        "accept_within_hours", 2)
    r = routed(client)
    assert r.dispatch()["accept_by"] == "2026-11-25T04:00:00Z"


def test_late_shipments_are_flagged_once(client: TestClient, clock: FrozenClock,
                                         worker: Worker) -> None:
    r = routed(client)
    accepted = r.accepted("L-1", ("TEE-RED", 2))
    no = accepted["dispatch_order_no"]
    line_id = accepted["lines"][0]["line_id"]
    on_time = r.accepted("L-2")["dispatch_order_no"]
    ok(ship(client, r.first, on_time, "SF", "SF1234567890123"))
    ok(ship(client, r.first, no, "SF", "SF1234567890124", [(line_id, 1)]))
    assert accepted["ship_by"] == "2026-11-27T02:00:00Z"
    clock.advance(timedelta(hours=48))
    assert worker.run_sweeps()["dispatch_orders.mark_late"] == 0
    clock.advance(timedelta(seconds=1))
    assert worker.run_sweeps()["dispatch_orders.mark_late"] == 1
    assert worker.run_sweeps()["dispatch_orders.mark_late"] == 0
    assert (r.get(no)["late"], r.get(on_time)["late"]) == (True, False)
    shipped = ok(ship(client, r.first, no, "SF", "SF1234567890125"))
    assert shipped["late"] is True
    types = timeline_types(client, r.w, no)
    assert types.count(("dispatch_order.late", "partially_shipped")) == 1
    assert not any(t == "dispatch_order.late" and s == "shipped" for t, s in types)
    queue = ok(client.get(f"/api/v1/suppliers/{r.first.supplier_id}/work-queue",
                          headers=r.first.owner.headers))
    assert queue["late"] == 0  # shipped now: nothing left to do


def test_work_queue_counts(client: TestClient, clock: FrozenClock, worker: Worker) -> None:
    r = routed(client)
    r.dispatch("Q-1")
    held = r.dispatch("Q-2")["dispatch_order_no"]
    ok(act(client, r.first, held, "hold", {"reason": "out_of_stock"}))
    to_ship = r.accepted("Q-3")["dispatch_order_no"]
    asked = r.accepted("Q-4")["dispatch_order_no"]
    ok(act(client, r.w, asked, "cancel", {"reason": "buyer cancelled"}))
    clock.advance(timedelta(hours=49))
    worker.sweeps = {"dispatch_orders.mark_late": SWEEPS["dispatch_orders.mark_late"]}
    worker.run_sweeps()
    queue = ok(client.get(f"/api/v1/suppliers/{r.first.supplier_id}/work-queue",
                          headers=r.first.owner.headers))
    assert queue == {"to_accept": 2, "to_ship": 1, "late": 3, "on_hold": 1,
                     "cancel_requested": 1}
    assert to_ship
