"""Delivered parcels deliver the dispatch order; it completes after the after-sales window."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from daifa.kit.clock import FrozenClock
from daifa.shipping.models import Shipment
from daifa.worker import Worker
from tests.api.support import ok
from tests.tracking.helpers import dispatch_status, event, post_events, shipped_order

A, B = "SF1000000000001", "SF1000000000002"


def _deliver(client: TestClient, number: str, at: object) -> None:
    ok(post_events(client, [event(number, "delivered", at)]), 202)  # type: ignore[arg-type]


def test_the_order_is_delivered_when_its_last_parcel_is(client: TestClient, worker: Worker,
                                                        clock: FrozenClock) -> None:
    shipped = shipped_order(client, [("SF", A), ("SF", B)])
    _deliver(client, A, clock.now())
    worker.run_due_jobs()
    assert dispatch_status(client, shipped.no) == "shipped"
    _deliver(client, B, clock.now() + timedelta(hours=1))
    worker.run_due_jobs()
    assert dispatch_status(client, shipped.no) == "delivered"
    items = ok(client.get(f"/api/v1/dispatch-orders/{shipped.no}/timeline",
                          headers=shipped.w.headers))["items"]
    timeline = [e for e in items if e["object"]["type"] == "dispatch_order"]  # not the scans
    assert timeline[-1]["to_status"] == "delivered" and timeline[-1]["from_status"] == "shipped"


def test_a_partially_shipped_order_is_not_delivered(client: TestClient, worker: Worker,
                                                   clock: FrozenClock) -> None:
    shipped = shipped_order(client, [("SF", A)], complete=False)
    _deliver(client, A, clock.now())
    worker.run_due_jobs()
    assert dispatch_status(client, shipped.no) == "partially_shipped"


def test_a_parcel_returned_after_delivery_keeps_the_order_shipped(client: TestClient,
                                                                  worker: Worker,
                                                                  clock: FrozenClock) -> None:
    shipped = shipped_order(client, [("SF", A)])
    ok(post_events(client, [event(A, "refused", clock.now() + timedelta(hours=2)),
                            event(A, "delivered", clock.now())]), 202)
    worker.run_due_jobs()
    assert dispatch_status(client, shipped.no) == "shipped"


def test_it_completes_after_the_after_sales_window(client: TestClient, worker: Worker,
                                                   clock: FrozenClock) -> None:
    shipped = shipped_order(client, [("SF", A), ("SF", B)])
    _deliver(client, A, clock.now() - timedelta(days=1))
    _deliver(client, B, clock.now())  # the window counts from the last parcel
    worker.run_due_jobs()
    assert dispatch_status(client, shipped.no) == "delivered"
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    assert worker.run_sweeps()["tracking.complete_due"] == 0
    assert dispatch_status(client, shipped.no) == "delivered"
    clock.advance(timedelta(seconds=1))
    assert worker.run_sweeps()["tracking.complete_due"] == 1
    assert dispatch_status(client, shipped.no) == "completed"
    assert worker.run_sweeps()["tracking.complete_due"] == 0


def test_the_window_is_a_setting(client: TestClient, worker: Worker,
                                 clock: FrozenClock) -> None:
    worker.settings = worker.settings.model_copy(update={"after_sales_window_days": 2})
    shipped = shipped_order(client, [("SF", A)])
    _deliver(client, A, clock.now())
    worker.run_due_jobs()
    clock.advance(timedelta(days=2))
    worker.run_sweeps()
    assert dispatch_status(client, shipped.no) == "completed"


def test_the_sweep_delivers_what_racing_jobs_missed(client: TestClient, worker: Worker,
                                                    clock: FrozenClock) -> None:
    shipped = shipped_order(client, [("SF", A), ("SF", B)])
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:  # both parcels delivered, no job saw both
        session.execute(update(Shipment).values(tracking_status="delivered",
                                                delivered_at=clock.now()))
    swept = worker.run_sweeps()
    assert swept["tracking.deliver_due"] == 1
    assert dispatch_status(client, shipped.no) == "delivered"
    assert worker.run_sweeps()["tracking.deliver_due"] == 0
