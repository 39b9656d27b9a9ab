"""Sending: signed POSTs to a real local server, retries on the backoff schedule, giving up
after 24 h, redelivery, disabled endpoints, event filtering, the delivery log."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event as sa_event

from daifa.config import Settings
from daifa.kit.clock import FrozenClock
from daifa.webhooks import service as webhooks
from daifa.webhooks import signing
from daifa.webhooks.delivery import Outgoing, perform
from daifa.webhooks.errors import UnsafeSupplierPayload, WebhookSignatureInvalid
from daifa.webhooks.service import Emission
from daifa.worker import Worker
from tests import factories
from tests.api.support import assert_problem, ok
from tests.webhooks.helpers import (
    deliveries,
    delivery_rows,
    emit,
    hub_ctx_run,
    register,
    shop_pk,
    supplier_pk,
)
from tests.webhooks.receiver import Receiver, Reply

SHIPPED = "dispatch_order.shipped"
DATA = {"dispatch_order_no": "DO26112500000001", "status": "shipped"}


@pytest.fixture
def merchant(client: TestClient) -> factories.Person:
    owner = factories.person(client)
    factories.shop(client, owner)
    return owner


def _setup(client: TestClient, merchant: factories.Person, hook: Receiver,
           **body: Any) -> tuple[dict[str, Any], int]:
    endpoint = register(client, merchant, hook.url, org_id=merchant.shops[0], **body)
    return endpoint, shop_pk(client, merchant.shops[0])


def _log(client: TestClient, merchant: factories.Person, endpoint: dict[str, Any]
         ) -> dict[str, Any]:
    items = deliveries(client, merchant, merchant.shops[0], endpoint["id"])
    assert len(items) == 1
    return dict(items[0])


def test_a_delivery_is_signed_and_carries_the_envelope(client: TestClient,
                                                       merchant: factories.Person,
                                                       hook: Receiver, worker: Worker,
                                                       clock: FrozenClock) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    [delivery_id] = emit(client, SHIPPED, DATA, shop=pk)
    assert hook.received == []  # nothing leaves before the worker runs
    assert worker.run_due_jobs() == 1
    [got] = hook.received
    assert got.path == "/hooks"
    headers = {k.lower(): v for k, v in got.headers.items()}
    assert signing.verify(endpoint["secret"], headers["daifa-signature"], got.body,
                          clock.now()) == int(clock.now().timestamp())
    with pytest.raises(WebhookSignatureInvalid):
        signing.verify(endpoint["secret"], headers["daifa-signature"], got.body + b" ",
                       clock.now())
    assert headers["daifa-event"] == SHIPPED
    assert headers["daifa-delivery"] == delivery_id
    assert headers["content-type"] == "application/json"
    body = json.loads(got.body)
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["type"] == SHIPPED and body["data"] == DATA
    assert body["created_at"] == clock.now().isoformat().replace("+00:00", "Z")
    logged = _log(client, merchant, endpoint)
    assert logged["id"] == delivery_id and logged["event_id"] == body["id"]
    assert logged["status"] == "succeeded" and logged["attempts"] == 1
    [attempt] = logged["log"]
    assert attempt["status_code"] == 200 and attempt["succeeded"] is True
    assert attempt["response_excerpt"] == "ok" and attempt["error"] is None


def test_500s_are_retried_on_the_backoff_schedule(client: TestClient,
                                                  merchant: factories.Person, hook: Receiver,
                                                  worker: Worker, clock: FrozenClock) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    hook.script(Reply(500, b"E" * 5000), Reply(503, b"busy"), Reply(200, b"thanks"))
    emit(client, SHIPPED, DATA, shop=pk)
    worker.run_due_jobs()
    logged = _log(client, merchant, endpoint)
    assert logged["status"] == "pending" and logged["last_status_code"] == 500
    first_delay = signing.redelivery_delay(1)
    assert first_delay == 30
    assert logged["next_attempt_at"] == (clock.now() + timedelta(seconds=first_delay)) \
        .isoformat().replace("+00:00", "Z")
    assert logged["log"][0]["response_excerpt"] == "E" * 1024
    clock.advance(timedelta(seconds=first_delay - 1))
    assert worker.run_due_jobs() == 0  # not yet
    clock.advance(timedelta(seconds=1))
    assert worker.run_due_jobs() == 1
    clock.advance(timedelta(seconds=signing.redelivery_delay(2) or 0))
    assert worker.run_due_jobs() == 1
    logged = _log(client, merchant, endpoint)
    assert logged["status"] == "succeeded" and logged["attempts"] == 3
    assert [(a["number"], a["status_code"]) for a in logged["log"]] \
        == [(1, 500), (2, 503), (3, 200)]
    assert len(hook.received) == 3
    assert len({r.body for r in hook.received}) == 1  # the same body every time


def test_a_timeout_is_a_failed_attempt(client: TestClient, merchant: factories.Person,
                                       hook: Receiver, worker: Worker,
                                       clock: FrozenClock) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    hook.script(Reply(200, delay=1.5), Reply(200))
    emit(client, SHIPPED, DATA, shop=pk)
    worker.run_due_jobs()
    logged = _log(client, merchant, endpoint)
    assert logged["status"] == "pending"
    [attempt] = logged["log"]
    assert attempt["error"] == "timed out after 0.5 s" and attempt["status_code"] is None
    assert 400 <= attempt["duration_ms"] < 1500
    clock.advance(timedelta(seconds=30))
    worker.run_due_jobs()
    assert _log(client, merchant, endpoint)["status"] == "succeeded"


def test_a_refused_connection_is_a_failed_attempt(client: TestClient,
                                                  merchant: factories.Person, worker: Worker,
                                                  hook: Receiver) -> None:
    endpoint = register(client, merchant, "http://127.0.0.1:9/nothing-listens",
                        org_id=merchant.shops[0])
    emit(client, SHIPPED, DATA, shop=shop_pk(client, merchant.shops[0]))
    worker.run_due_jobs()
    [attempt] = _log(client, merchant, endpoint)["log"]
    assert attempt["error"].startswith("ConnectError") and attempt["succeeded"] is False


def test_it_gives_up_when_the_24_hour_schedule_is_used_up(client: TestClient,
                                                          merchant: factories.Person,
                                                          hook: Receiver, worker: Worker,
                                                          clock: FrozenClock) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    hook.script(Reply(500, b"down"))
    emit(client, SHIPPED, DATA, shop=pk)
    started = clock.now()
    schedule = signing.backoff_schedule()
    worker.run_due_jobs()
    for delay in schedule:
        clock.advance(timedelta(seconds=delay))
        assert worker.run_due_jobs() == 1
    logged = _log(client, merchant, endpoint)
    assert logged["status"] == "failed" and logged["next_attempt_at"] is None
    assert logged["attempts"] == len(schedule) + 1 == len(hook.received)
    assert clock.now() - started <= timedelta(hours=24)
    assert logged["finished_at"] == clock.now().isoformat().replace("+00:00", "Z")
    clock.advance(timedelta(days=2))
    assert worker.run_due_jobs() == 0  # nothing more is queued


def test_redelivery_sends_a_finished_delivery_again(client: TestClient,
                                                    merchant: factories.Person,
                                                    hook: Receiver, worker: Worker,
                                                    clock: FrozenClock) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    [delivery_id] = emit(client, SHIPPED, DATA, shop=pk)
    path = f"/api/v1/shops/{merchant.shops[0]}/webhook-deliveries/{delivery_id}/redeliver"
    busy = client.post(path, headers=merchant.headers)  # still pending: the worker has it
    assert_problem(busy, 409, "INVALID_TRANSITION")
    assert busy.json()["current_status"] == "pending"
    worker.run_due_jobs()
    again = ok(client.post(path, headers=merchant.headers))
    assert again["status"] == "pending" and again["attempts"] == 1
    worker.run_due_jobs()
    logged = _log(client, merchant, endpoint)
    assert logged["status"] == "succeeded" and logged["attempts"] == 2
    assert len(hook.received) == 2 and hook.received[0].body == hook.received[1].body


def test_redelivery_after_giving_up_starts_a_fresh_schedule(client: TestClient,
                                                            merchant: factories.Person,
                                                            hook: Receiver, worker: Worker,
                                                            clock: FrozenClock) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    hook.script(Reply(500))
    [delivery_id] = emit(client, SHIPPED, DATA, shop=pk)
    worker.run_due_jobs()
    for delay in signing.backoff_schedule():
        clock.advance(timedelta(seconds=delay))
        worker.run_due_jobs()
    assert _log(client, merchant, endpoint)["status"] == "failed"
    path = f"/api/v1/shops/{merchant.shops[0]}/webhook-deliveries/{delivery_id}/redeliver"
    ok(client.post(path, headers=merchant.headers))
    worker.run_due_jobs()
    logged = _log(client, merchant, endpoint)
    assert logged["status"] == "pending"  # failed again, retried from the first delay
    assert logged["next_attempt_at"] == (clock.now() + timedelta(seconds=30)) \
        .isoformat().replace("+00:00", "Z")


def test_redelivering_to_a_disabled_endpoint_is_409(client: TestClient,
                                                    merchant: factories.Person,
                                                    hook: Receiver, worker: Worker) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    [delivery_id] = emit(client, SHIPPED, DATA, shop=pk)
    worker.run_due_jobs()
    ok(client.patch(f"/api/v1/shops/{merchant.shops[0]}/webhooks/{endpoint['id']}",
                    json={"enabled": False}, headers=merchant.headers))
    response = client.post(f"/api/v1/shops/{merchant.shops[0]}/webhook-deliveries/"
                           f"{delivery_id}/redeliver", headers=merchant.headers)
    assert_problem(response, 409, "WEBHOOK_ENDPOINT_DISABLED")


def test_disabled_endpoints_get_nothing(client: TestClient, merchant: factories.Person,
                                        hook: Receiver, worker: Worker) -> None:
    endpoint, pk = _setup(client, merchant, hook, enabled=False)
    assert emit(client, SHIPPED, DATA, shop=pk) == []
    assert worker.run_due_jobs() == 0
    path = f"/api/v1/shops/{merchant.shops[0]}/webhooks/{endpoint['id']}"
    ok(client.patch(path, json={"enabled": True}, headers=merchant.headers))
    emit(client, SHIPPED, DATA, shop=pk)
    # Disabled after the event was queued but before it was sent: it is not sent.
    ok(client.patch(path, json={"enabled": False}, headers=merchant.headers))
    worker.run_due_jobs()
    assert hook.received == []
    logged = _log(client, merchant, endpoint)
    assert logged["status"] == "failed"
    assert logged["last_error"] == "not sent: the endpoint is disabled"


def test_deleted_endpoints_get_nothing(client: TestClient, merchant: factories.Person,
                                       hook: Receiver, worker: Worker) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    emit(client, SHIPPED, DATA, shop=pk)
    client.delete(f"/api/v1/shops/{merchant.shops[0]}/webhooks/{endpoint['id']}",
                  headers=merchant.headers)
    worker.run_due_jobs()
    assert hook.received == []
    [row] = delivery_rows(client)
    assert row.status == "failed" and row.last_error == "not sent: the endpoint was deleted"


def test_endpoints_get_only_the_event_types_they_subscribed_to(client: TestClient,
                                                               merchant: factories.Person,
                                                               hook: Receiver,
                                                               worker: Worker) -> None:
    shop_id = merchant.shops[0]
    exact = register(client, merchant, hook.url + "/exact", org_id=shop_id,
                     event_types=[SHIPPED])
    noun = register(client, merchant, hook.url + "/noun", org_id=shop_id,
                    event_types=["dispatch_order.*"])
    every = register(client, merchant, hook.url + "/all", org_id=shop_id)
    pk = shop_pk(client, shop_id)
    assert len(emit(client, SHIPPED, DATA, shop=pk)) == 3
    assert len(emit(client, "dispatch_order.accepted", DATA, shop=pk)) == 2
    assert len(emit(client, "order.created", {"order_id": "1"}, shop=pk)) == 1
    worker.run_due_jobs()
    got = sorted((r.path, json.loads(r.body)["type"]) for r in hook.received)
    assert got == [("/hooks/all", "dispatch_order.accepted"),
                   ("/hooks/all", "dispatch_order.shipped"), ("/hooks/all", "order.created"),
                   ("/hooks/exact", "dispatch_order.shipped"),
                   ("/hooks/noun", "dispatch_order.accepted"),
                   ("/hooks/noun", "dispatch_order.shipped")]
    assert len(deliveries(client, merchant, shop_id, exact["id"])) == 1
    assert len(deliveries(client, merchant, shop_id, noun["id"])) == 2
    assert len(deliveries(client, merchant, shop_id, every["id"])) == 3


def test_one_event_reaches_the_shop_and_the_supplier_but_no_one_else(
        client: TestClient, hook: Receiver, worker: Worker) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(client)
    register(client, merchant, hook.url + "/shop", org_id=shop_id)
    register(client, owner, hook.url + "/supplier", org="suppliers", org_id=supplier_id)
    stranger = factories.person(client)
    register(client, stranger, hook.url + "/stranger", org_id=factories.shop(client, stranger))
    made = emit(client, SHIPPED, DATA, shop=shop_pk(client, shop_id),
                supplier=supplier_pk(client, supplier_id))
    assert len(made) == 2
    worker.run_due_jobs()
    assert sorted(r.path for r in hook.received) == ["/hooks/shop", "/hooks/supplier"]
    bodies = {json.loads(r.body)["id"] for r in hook.received}
    assert len(bodies) == 1  # one event, two deliveries


def test_an_event_for_a_supplier_never_carries_shop_prices_or_buyer_data(
        client: TestClient, hook: Receiver) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(client)
    register(client, owner, hook.url, org="suppliers", org_id=supplier_id)
    leaky = {**DATA, "lines": [{"sku_code": "A1", "quantity": 1, "unit_price_fen": 9900}]}
    with pytest.raises(UnsafeSupplierPayload):
        emit(client, SHIPPED, leaky, shop=shop_pk(client, shop_id),
             supplier=supplier_pk(client, supplier_id))
    with pytest.raises(UnsafeSupplierPayload):
        emit(client, SHIPPED, {**DATA, "buyer": {"name": "张三", "phone": "13812345678"}},
             supplier=supplier_pk(client, supplier_id))
    assert delivery_rows(client) == []  # nothing was queued
    # A shop's own event may carry its prices.
    register(client, merchant, hook.url, org_id=shop_id)
    assert len(emit(client, SHIPPED, leaky, shop=shop_pk(client, shop_id))) == 1


def test_the_test_button_sends_a_ping(client: TestClient, merchant: factories.Person,
                                      hook: Receiver, worker: Worker) -> None:
    endpoint, _ = _setup(client, merchant, hook, event_types=[SHIPPED])
    sent = ok(client.post(f"/api/v1/shops/{merchant.shops[0]}/webhooks/{endpoint['id']}/test",
                          headers=merchant.headers), 202)
    assert sent["event_type"] == "ping" and sent["status"] == "pending"
    worker.run_due_jobs()
    [got] = hook.received
    body = json.loads(got.body)
    assert body["type"] == "ping" and body["data"]["endpoint_id"] == endpoint["id"]
    delivered = ok(client.get(f"/api/v1/shops/{merchant.shops[0]}/webhook-deliveries/"
                              f"{sent['id']}", headers=merchant.headers))
    assert delivered["status"] == "succeeded"


def test_a_rotated_secret_signs_beside_the_old_one_for_24_hours(
        client: TestClient, merchant: factories.Person, hook: Receiver, worker: Worker,
        clock: FrozenClock) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    rotated = ok(client.post(f"/api/v1/shops/{merchant.shops[0]}/webhooks/{endpoint['id']}/"
                             "rotate-secret", headers=merchant.headers))
    emit(client, SHIPPED, DATA, shop=pk)
    worker.run_due_jobs()
    header = {k.lower(): v for k, v in hook.received[-1].headers.items()}["daifa-signature"]
    assert header.count("v1=") == 2
    for secret in (endpoint["secret"], rotated["secret"]):
        signing.verify(secret, header, hook.received[-1].body, clock.now())
    clock.advance(timedelta(hours=24, seconds=1))
    emit(client, SHIPPED, DATA, shop=pk)
    worker.run_due_jobs()
    header = {k.lower(): v for k, v in hook.received[-1].headers.items()}["daifa-signature"]
    assert header.count("v1=") == 1
    signing.verify(rotated["secret"], header, hook.received[-1].body, clock.now())
    with pytest.raises(WebhookSignatureInvalid):
        signing.verify(endpoint["secret"], header, hook.received[-1].body, clock.now())


def test_the_delivery_log_pages_newest_first(client: TestClient, merchant: factories.Person,
                                             hook: Receiver, worker: Worker) -> None:
    endpoint, pk = _setup(client, merchant, hook)
    made = [emit(client, SHIPPED, {"n": n}, shop=pk)[0] for n in range(5)]
    worker.run_due_jobs()
    base = f"/api/v1/shops/{merchant.shops[0]}/webhooks/{endpoint['id']}/deliveries"
    first = ok(client.get(base, params={"limit": 2}, headers=merchant.headers))
    second = ok(client.get(base, params={"limit": 2, "cursor": first["next_cursor"]},
                           headers=merchant.headers))
    third = ok(client.get(base, params={"limit": 2, "cursor": second["next_cursor"]},
                          headers=merchant.headers))
    seen = [d["id"] for page in (first, second, third) for d in page["items"]]
    assert seen == made[::-1] and third["next_cursor"] is None
    assert_problem(client.get(base, params={"cursor": "abc"}, headers=merchant.headers),
                   422, "INVALID_CURSOR")


def test_another_tenants_delivery_is_404(client: TestClient, merchant: factories.Person,
                                         hook: Receiver, worker: Worker) -> None:
    _, pk = _setup(client, merchant, hook)
    [delivery_id] = emit(client, SHIPPED, DATA, shop=pk)
    worker.run_due_jobs()
    other = factories.person(client)
    other_shop = factories.shop(client, other)
    for delivery in (delivery_id, "00000000-0000-0000-0000-000000000001", "zzz"):
        for response in (
                client.post(f"/api/v1/shops/{other_shop}/webhook-deliveries/{delivery}/"
                            "redeliver", headers=other.headers),
                client.get(f"/api/v1/shops/{other_shop}/webhook-deliveries/{delivery}",
                           headers=other.headers)):
            assert_problem(response, 404, "WEBHOOK_DELIVERY_NOT_FOUND")


def test_private_targets_are_not_sent_to_unless_allowed(hook: Receiver) -> None:
    out = Outgoing(delivery_pk=1, attempt=1, failures=0, url=hook.url, body=b"{}",
                   timeout=0.5, allow_private=False)
    outcome = perform(out)
    assert not outcome.succeeded and outcome.error is not None
    assert "is not a public address" in outcome.error
    assert hook.received == []
    allowed = perform(Outgoing(delivery_pk=1, attempt=1, failures=0, url=hook.url, body=b"{}",
                               timeout=0.5, allow_private=True))
    assert allowed.succeeded and allowed.status_code == 200 and len(hook.received) == 1


def test_emit_many_looks_up_endpoints_once(client: TestClient, merchant: factories.Person,
                                              hook: Receiver) -> None:
    register(client, merchant, hook.url + "/a", org_id=merchant.shops[0])
    register(client, merchant, hook.url + "/b", org_id=merchant.shops[0])
    pk = shop_pk(client, merchant.shops[0])
    engine = client.app.state.hub.db.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        made = hub_ctx_run(client, lambda ctx: webhooks.emit_many(
            ctx, [Emission(SHIPPED, {"n": n}, pk) for n in range(50)]))
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert len(made) == 100
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1 and "FROM webhook_endpoints" in reads[0], reads
    rows = delivery_rows(client)
    assert [r.event_pk for r in rows] == sorted(r.event_pk for r in rows)


def test_no_write_lock_is_held_while_an_endpoint_is_slow(client: TestClient,
                                                         merchant: factories.Person,
                                                         hook: Receiver, worker: Worker,
                                                         settings: Settings) -> None:
    """On SQLite a writer holds the one write lock: the POST happens outside any transaction,
    so the API keeps writing while an endpoint takes its time."""
    worker.settings = settings.model_copy(update={"webhook_timeout_seconds": 3.0})
    endpoint, pk = _setup(client, merchant, hook)
    hook.script(Reply(200, delay=1.0))
    emit(client, SHIPPED, DATA, shop=pk)
    sending = threading.Thread(target=worker.run_due_jobs)
    sending.start()
    while not hook.received:  # the POST has arrived and the endpoint is "thinking"
        time.sleep(0.01)
    started = time.monotonic()
    factories.shop(client, merchant, name="写入不被阻塞")  # a write through the API
    took = time.monotonic() - started
    sending.join()
    assert took < 0.8, took
    assert _log(client, merchant, endpoint)["status"] == "succeeded"
