"""The signed inbound webhook: signature, timestamp window, body checks, raw storage,
de-duplication of replays, and events applied by the worker."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from daifa.app import create_app
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from daifa.kit.clock import FrozenClock
from daifa.tracking import service
from daifa.worker import Worker
from tests.api.support import assert_problem, ok
from tests.e2e.concurrency import rendezvous
from tests.tracking.helpers import (
    event,
    post_events,
    raw_events,
    shipments,
    shipped_order,
    tracking_events,
)

NO = "SF1000000000001"
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def test_a_signed_call_is_stored_and_applied_by_the_worker(client: TestClient, worker: Worker,
                                                           clock: FrozenClock) -> None:
    shipped = shipped_order(client, [("SF", NO)])
    at = clock.now()
    response = post_events(client, [
        event(NO, "collected", at + timedelta(minutes=5), event_id="e1",
              description="【杭州】已揽收"),
        event(NO, "运输中", at + timedelta(hours=2), event_id="e2"),
    ])
    assert ok(response, 202) == {"received": 2}
    [raw] = raw_events(client)
    assert raw.provider == "sandbox" and json.loads(raw.body)["events"][0]["event_id"] == "e1"
    assert raw.processed_at is None
    assert shipments(client)[0].tracking_status is None  # applied by the worker, not inline
    worker.run_due_jobs()
    [shipment] = shipments(client)
    assert shipment.tracking_status == "in_transit"
    assert shipment.tracking_updated_at == at + timedelta(hours=2)
    assert shipment.delivered_at is None
    assert [(e.status, e.event_id) for e in tracking_events(client)] == [
        ("collected", "e1"), ("in_transit", "e2")]
    assert raw_events(client)[0].new_events == 2
    tracking = ok(client.get(f"/api/v1/dispatch-orders/{shipped.no}/tracking",
                             headers=shipped.w.headers))
    [parcel] = tracking["parcels"]
    assert parcel["status"] == "in_transit" and parcel["status_label"] == "运输中"
    assert [(e["status"], e["label"], e["description"]) for e in parcel["events"]] == [
        ("collected", "已揽收", "【杭州】已揽收"), ("in_transit", "运输中", "")]


def test_a_tampered_body_is_401_and_stores_nothing(client: TestClient,
                                                   clock: FrozenClock) -> None:
    response = post_events(client, [event(NO, "collected", clock.now())], tamper=True)
    assert_problem(response, 401, "WEBHOOK_SIGNATURE_INVALID")
    assert raw_events(client) == []


def test_a_wrong_secret_or_no_signature_is_401(client: TestClient, clock: FrozenClock) -> None:
    wrong = post_events(client, [event(NO, "collected", clock.now())],
                        secret="not-the-providers-secret")
    assert_problem(wrong, 401, "WEBHOOK_SIGNATURE_INVALID")
    unsigned = client.post("/api/v1/tracking/webhooks/sandbox",
                           json={"events": [event(NO, "collected", clock.now())]})
    assert_problem(unsigned, 401, "WEBHOOK_SIGNATURE_INVALID")
    garbled = client.post("/api/v1/tracking/webhooks/sandbox", content=b"{}",
                          headers={"Daifa-Signature": "v1=abc"})
    assert_problem(garbled, 401, "WEBHOOK_SIGNATURE_INVALID")
    assert raw_events(client) == []


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_a_stale_timestamp_is_401(client: TestClient, clock: FrozenClock, offset: int) -> None:
    at = int(clock.now().timestamp()) + offset
    response = post_events(client, [event(NO, "collected", clock.now())], timestamp=at)
    assert_problem(response, 401, "WEBHOOK_TIMESTAMP_STALE")
    assert raw_events(client) == []


def test_inside_the_window_is_fine(client: TestClient, clock: FrozenClock) -> None:
    at = int(clock.now().timestamp()) - 300
    ok(post_events(client, [event(NO, "collected", clock.now())], timestamp=at), 202)


def test_an_unknown_provider_is_404(client: TestClient, clock: FrozenClock) -> None:
    response = post_events(client, [event(NO, "collected", clock.now())], provider="kuaidi100")
    assert_problem(response, 404, "TRACKING_PROVIDER_NOT_FOUND")


def test_a_configured_secret_replaces_the_derived_one(settings: Settings, db: Database,
                                                      clock: FrozenClock) -> None:
    configured = settings.model_copy(update={"tracking_webhook_secret": "kd100-shared-secret",
                                             "tracking_providers": ["sandbox", "kuaidi100"]})
    with TestClient(create_app(configured, clock=clock, database=db)) as client:
        events = [event(NO, "collected", clock.now())]
        ok(post_events(client, events, provider="kuaidi100", secret="kd100-shared-secret"), 202)
        derived = post_events(client, events, provider="kuaidi100",
                              secret=settings.model_copy().resolved_secret_key())
        assert_problem(derived, 401, "WEBHOOK_SIGNATURE_INVALID")


@pytest.mark.parametrize(("events", "code"), [
    ([event(NO, "lost in space", T0)], "UNKNOWN_TRACKING_STATUS"),
    ([{"carrier": "NOPE", "tracking_no": NO, "status": "collected",
       "occurred_at": "2026-11-25T01:00:00+08:00"}], "UNKNOWN_CARRIER"),
    ([{"carrier": "SF", "tracking_no": "长", "status": "collected",
       "occurred_at": "2026-11-25T01:00:00+08:00"}], "INVALID_TRACKING_NO"),
    ([{"carrier": "SF", "tracking_no": NO, "status": "collected",
       "occurred_at": "2026-11-25T01:00:00"}], "VALIDATION_FAILED"),  # no UTC offset
    ([], "VALIDATION_FAILED"),
])
def test_bad_events_are_422_and_stored_nowhere(client: TestClient, events: list[object],
                                               code: str) -> None:
    response = post_events(client, events)  # type: ignore[arg-type]
    assert_problem(response, 422, code)
    assert raw_events(client) == []


def test_a_body_that_is_not_json_is_422(client: TestClient) -> None:
    assert_problem(post_events(client, [], body=b"not json"), 422, "VALIDATION_FAILED")


def test_chinese_labels_and_carrier_names_are_accepted(client: TestClient, worker: Worker,
                                                       clock: FrozenClock) -> None:
    shipped_order(client, [("ZTO", "73100000000001")])
    ok(post_events(client, [event("73100000000001", "派件中", clock.now(), carrier="中通快递")]),
       202)
    worker.run_due_jobs()
    assert shipments(client)[0].tracking_status == "out_for_delivery"


def test_a_replayed_call_changes_nothing(client: TestClient, worker: Worker,
                                        clock: FrozenClock) -> None:
    shipped_order(client, [("SF", NO)])
    events = [event(NO, "collected", clock.now(), event_id="e1"),
              event(NO, "in_transit", clock.now() + timedelta(hours=1), event_id="e2")]
    ok(post_events(client, events), 202)
    worker.run_due_jobs()
    before = [(e.id, e.status) for e in tracking_events(client)]
    ok(post_events(client, events), 202)  # the provider retried
    ok(post_events(client, list(reversed(events))), 202)
    worker.run_due_jobs()
    assert [(e.id, e.status) for e in tracking_events(client)] == before
    assert [raw.new_events for raw in raw_events(client)] == [2, 0, 0]
    assert shipments(client)[0].tracking_status == "in_transit"


def test_a_repeat_without_an_event_id_is_kept_once(client: TestClient, worker: Worker,
                                                   clock: FrozenClock) -> None:
    shipped_order(client, [("SF", NO)])
    same = event(NO, "collected", clock.now())
    ok(post_events(client, [same, same]), 202)
    ok(post_events(client, [{**same, "event_id": "late-id"}]), 202)
    worker.run_due_jobs()
    assert len(tracking_events(client)) == 1


def test_processing_twice_does_nothing_twice(client: TestClient, worker: Worker,
                                             clock: FrozenClock) -> None:
    shipped_order(client, [("SF", NO)])
    ok(post_events(client, [event(NO, "collected", clock.now())]), 202)
    worker.run_due_jobs()
    hub = client.app.state.hub  # type: ignore[attr-defined]
    with hub.db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=hub.settings,
                  clock=clock)
        service.process(ctx, {"raw": raw_events(client)[0].id})
    assert len(tracking_events(client)) == 1


def test_events_for_an_unknown_parcel_are_kept(client: TestClient, worker: Worker,
                                               clock: FrozenClock) -> None:
    ok(post_events(client, [event("SF9999999999999", "collected", clock.now())]), 202)
    assert worker.run_due_jobs() == 1
    [stored] = tracking_events(client)
    assert stored.tracking_no == "SF9999999999999"
    assert raw_events(client)[0].processed_at == clock.now()


def test_the_webhook_needs_no_bearer_token_and_is_in_the_openapi_document(
        client: TestClient) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    operation = document["paths"]["/api/v1/tracking/webhooks/{provider}"]["post"]
    assert "security" not in operation
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["events"]
    assert "$ref" not in json.dumps(schema)


def test_events_that_came_before_the_parcel_apply_once_it_ships(client: TestClient,
                                                                worker: Worker,
                                                                clock: FrozenClock) -> None:
    early = [event(NO, "collected", clock.now(), event_id="e1")]
    ok(post_events(client, early), 202)
    worker.run_due_jobs()  # stored; no parcel in daifa has this number yet
    shipped_order(client, [("SF", NO)])
    assert shipments(client)[0].tracking_status is None
    ok(post_events(client, early), 202)  # the provider repeats itself: nothing new, but ...
    worker.run_due_jobs()
    assert shipments(client)[0].tracking_status == "collected"  # ... the parcel catches up
    assert len(tracking_events(client)) == 1


def test_a_huge_body_is_413(client: TestClient) -> None:
    response = post_events(client, [], body=b"x" * (2 * 1024 * 1024 + 1))
    assert_problem(response, 413, "PAYLOAD_TOO_LARGE")
    assert raw_events(client) == []


def test_two_workers_processing_one_body_at_once_apply_it_once(client: TestClient,
                                                                clock: FrozenClock) -> None:
    """A lease that lapsed lets a second worker run the job while the first still does; the
    body is taken by one transaction (for an unknown parcel no shipment lock orders them)."""
    ok(post_events(client, [event("SF9999999999998", "collected", clock.now())]), 202)
    [raw] = raw_events(client)
    hub = client.app.state.hub  # type: ignore[attr-defined]

    def run(_: int) -> None:
        with hub.db.unit_of_work() as session:
            service.process(Ctx(reactions=REACTIONS, session=session,
                                actor=Actor.system("test"), settings=hub.settings,
                                clock=clock), {"raw": raw.id})

    with rendezvous(hub.db, "UPDATE tracking_raw_events") as met, \
            ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run, range(2)))
    if hub.db.engine.dialect.name == "postgresql":
        assert len(set(met)) == 2  # both reached the take before either committed
    assert len(tracking_events(client)) == 1
    assert raw_events(client)[0].new_events == 1
