"""The sandbox provider moves parcels 已揽收 → 运输中 → 派件中 → 已签收 on its schedule, through the
same path as a provider's webhook, until the order completes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from daifa.config import Settings
from daifa.kit.clock import FrozenClock
from daifa.tracking.providers import Parcel
from daifa.tracking.sandbox import SandboxProvider
from daifa.tracking.status import TrackingStatus
from daifa.worker import Worker
from tests.api.support import ok
from tests.tracking.helpers import (
    dispatch_status,
    raw_events,
    shipments,
    shipped_order,
    tracking_events,
)

T0 = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """These tests are about the sandbox, which is off unless switched on."""
    return settings.model_copy(update={"tracking_sandbox": True})


def test_the_schedule_adds_the_minutes_step_by_step() -> None:
    sandbox = SandboxProvider([30, 30, 120, 60])
    assert sandbox.schedule(T0) == [
        (TrackingStatus.COLLECTED, T0 + timedelta(minutes=30)),
        (TrackingStatus.IN_TRANSIT, T0 + timedelta(minutes=60)),
        (TrackingStatus.OUT_FOR_DELIVERY, T0 + timedelta(minutes=180)),
        (TrackingStatus.DELIVERED, T0 + timedelta(minutes=240)),
    ]


def test_due_events_are_the_steps_passed_and_not_yet_reached() -> None:
    sandbox = SandboxProvider([30, 30, 120, 60])
    fresh = Parcel("SF", "SF1", T0, None)
    collected = Parcel("SF", "SF2", T0, TrackingStatus.COLLECTED)
    assert sandbox.due_events([fresh], T0 + timedelta(minutes=29)) == []
    due = sandbox.due_events([fresh, collected], T0 + timedelta(minutes=61))
    assert [(e.tracking_no, e.status) for e in due] == [
        ("SF1", "collected"), ("SF1", "in_transit"), ("SF2", "in_transit")]
    assert due[0].event_id == "SF-SF1-collected"
    assert due[0].occurred_at == T0 + timedelta(minutes=30)


def test_the_sandbox_moves_a_parcel_until_the_order_completes(client: TestClient,
                                                              worker: Worker,
                                                              clock: FrozenClock) -> None:
    shipped = shipped_order(client, [("SF", "SF1000000000001")])
    worker.run_sweeps()
    worker.run_due_jobs()
    assert shipments(client)[0].tracking_status is None
    seen = []
    for minutes in (30, 30, 120, 60):
        clock.advance(timedelta(minutes=minutes))
        worker.run_sweeps()
        worker.run_due_jobs()
        worker.run_sweeps()  # deliver_due finds nothing left: the job delivered it already
        seen.append(shipments(client)[0].tracking_status)
    assert seen == ["collected", "in_transit", "out_for_delivery", "delivered"]
    assert dispatch_status(client, shipped.no) == "delivered"
    assert [e.status for e in tracking_events(client)] == seen
    assert {raw.provider for raw in raw_events(client)} == {"sandbox"}
    assert all(raw.processed_at is not None for raw in raw_events(client))
    tracking = ok(client.get(f"/api/v1/dispatch-orders/{shipped.no}/tracking",
                             headers=shipped.w.headers))
    assert [e["label"] for e in tracking["parcels"][0]["events"]] == [
        "已揽收", "运输中", "派件中", "已签收"]
    clock.advance(timedelta(days=7))
    worker.run_sweeps()
    assert dispatch_status(client, shipped.no) == "completed"


def test_a_late_sweep_catches_up_in_one_go(client: TestClient, worker: Worker,
                                           clock: FrozenClock) -> None:
    shipped = shipped_order(client, [("SF", "SF1000000000001")])
    clock.advance(timedelta(days=1))
    worker.run_sweeps()
    worker.run_due_jobs()
    assert shipments(client)[0].tracking_status == "delivered"
    assert shipments(client)[0].delivered_at == shipments(client)[0].shipped_at + timedelta(
        minutes=240)
    assert dispatch_status(client, shipped.no) == "delivered"


def test_the_sandbox_can_be_switched_off(client: TestClient, worker: Worker,
                                         clock: FrozenClock) -> None:
    worker.settings = worker.settings.model_copy(update={"tracking_sandbox": False})
    shipped_order(client, [("SF", "SF1000000000001")])
    clock.advance(timedelta(days=1))
    assert worker.run_sweeps()["tracking.sandbox"] == 0
    assert raw_events(client) == []
