"""Idempotency-Key on creating POSTs: replay, reuse, in use, scope, concurrency."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidTag
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from daifa.idempotency import sealing
from daifa.idempotency.models import IdempotencyKey
from daifa.idempotency.service import fingerprint
from daifa.kit.clock import FrozenClock
from daifa.orders.models import ShopOrder
from daifa.orders.schemas import OrderIn
from tests.api.support import assert_problem, ok
from tests.orders.helpers import World, order_body, world


def count_orders(client: TestClient) -> int:
    with client.app.state.hub.db.unit_of_work(write=False) as session:  # type: ignore[attr-defined]
        return int(session.scalar(select(func.count()).select_from(ShopOrder)) or 0)


def key_rows(client: TestClient) -> list[tuple[str, str, str]]:
    """(key, caller, path) of every stored key."""
    with client.app.state.hub.db.unit_of_work(write=False) as session:  # type: ignore[attr-defined]
        rows = session.execute(select(IdempotencyKey.key, IdempotencyKey.caller,
                                      IdempotencyKey.path).order_by(IdempotencyKey.id))
        return [(key, caller, path) for key, caller, path in rows]


def test_same_key_and_body_replays_the_first_response(client: TestClient) -> None:
    w = world(client, suppliers=1)
    first = w.post(order_body("K-1"), **{"Idempotency-Key": "k-1"})
    again = w.post(order_body("K-1"), **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count_orders(client) == 1


def test_same_key_with_another_body_is_refused(client: TestClient) -> None:
    w = world(client, suppliers=1)
    ok(w.post(order_body("K-1"), **{"Idempotency-Key": "k-1"}), 201)
    reused = w.post(order_body("K-2"), **{"Idempotency-Key": "k-1"})
    assert_problem(reused, 422, "IDEMPOTENCY_KEY_REUSED")
    assert count_orders(client) == 1


def test_key_order_and_spacing_of_the_body_do_not_matter(client: TestClient) -> None:
    w = world(client, suppliers=1)
    body = order_body("K-1")
    ok(w.post(body, **{"Idempotency-Key": "k-1"}), 201)
    reordered = dict(reversed(list(body.items())))
    assert w.post(reordered, **{"Idempotency-Key": "k-1"}).status_code == 201
    assert count_orders(client) == 1


def _claim_running(client: TestClient, w: World, key: str, body: dict[str, object],
                   clock: FrozenClock) -> None:
    """Leave a running claim for `key`, as a request still in progress would."""
    ok(w.post(order_body("SEED"), **{"Idempotency-Key": "seed"}), 201)
    _, caller, path = key_rows(client)[0]
    with client.app.state.hub.db.unit_of_work() as session:  # type: ignore[attr-defined]
        session.add(IdempotencyKey(
            caller=caller, method="POST", path=path,
            key=sealing.digest(f"{caller} POST {path}", key),
            fingerprint=fingerprint(OrderIn.model_validate(body).model_dump(mode="json")),
            state="running", locked_until=clock.now() + timedelta(seconds=60),
            created_at=clock.now()))


def test_key_of_a_request_still_running_is_409(client: TestClient, clock: FrozenClock) -> None:
    w = world(client, suppliers=1)
    body = order_body("K-1")
    _claim_running(client, w, "k-busy", body, clock)
    assert_problem(w.post(body, **{"Idempotency-Key": "k-busy"}), 409, "IDEMPOTENCY_KEY_IN_USE")
    clock.advance(timedelta(seconds=61))  # the first request died: its claim lapses
    assert w.post(body, **{"Idempotency-Key": "k-busy"}).status_code == 201


def test_failed_request_frees_its_key(client: TestClient) -> None:
    w = world(client, suppliers=1)
    order = w.order(order_body("K-1", ("TEE-RED", 1)))
    body = {"assignments": [{"line_id": order["lines"][0]["line_id"],
                             "supplier_id": w.suppliers[0].supplier_id, "quantity": 5}]}
    url = w.url(f"/orders/{order['order_id']}/assign")
    headers = {**w.headers, "Idempotency-Key": "assign-1"}
    assert_problem(client.post(url, json=body, headers=headers), 409,
                   "QUANTITY_EXCEEDS_REMAINING")
    assert key_rows(client) == []
    body["assignments"][0]["quantity"] = 1  # type: ignore[index]
    assert client.post(url, json=body, headers=headers).status_code == 200


def test_keys_are_scoped_to_the_caller(client: TestClient) -> None:
    w1, w2 = world(client, suppliers=1), world(client, suppliers=1)
    first = w1.post(order_body("K-1"), **{"Idempotency-Key": "shared"})
    second = w2.post(order_body("K-1"), **{"Idempotency-Key": "shared"})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["order_id"] != second.json()["order_id"]


def test_batch_honours_the_key(client: TestClient) -> None:
    w = world(client, suppliers=1)
    body = {"orders": [order_body("B-1"), order_body("B-2")]}
    headers = {**w.headers, "Idempotency-Key": "batch-1"}
    first = ok(client.post(w.url("/orders:batch"), json=body, headers=headers))
    again = client.post(w.url("/orders:batch"), json=body, headers=headers)
    assert again.json() == first and again.headers["Idempotent-Replayed"] == "true"
    assert all(item["created"] for item in first["items"])
    other = client.post(w.url("/orders:batch"), json={"orders": [order_body("B-3")]},
                        headers=headers)
    assert_problem(other, 422, "IDEMPOTENCY_KEY_REUSED")


def test_overlong_key_is_refused(client: TestClient) -> None:
    w = world(client, suppliers=1)
    assert_problem(w.post(order_body("K-1"), **{"Idempotency-Key": "k" * 256}), 422,
                   "VALIDATION_FAILED")
    assert count_orders(client) == 0


def test_twenty_concurrent_identical_posts_make_one_order(client: TestClient) -> None:
    w = world(client)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    body = order_body("RACE-1", ("TEE-RED", 2))

    def post(_: int) -> tuple[int, dict[str, object]]:
        response = w.post(body, **{"Idempotency-Key": "race"})
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(post, range(20)))
    created = [answer for status, answer in answers if status == 201]
    busy = [answer for status, answer in answers if status == 409]
    assert len(created) + len(busy) == 20 and created
    assert all(answer == created[0] for answer in created)
    assert all(answer["code"] == "IDEMPOTENCY_KEY_IN_USE" for answer in busy)
    assert count_orders(client) == 1
    listed = ok(client.get(w.url("/orders"), headers=w.headers))["items"]
    assert len(listed[0]["dispatch_orders"]) == 1


def test_the_kept_reply_holds_neither_the_key_nor_the_buyer_in_plain_text(
        client: TestClient) -> None:
    w = world(client, suppliers=1)
    body = order_body("K-SEALED")
    body["buyer"]["name"] = "金丝雀"  # type: ignore[index]
    first = ok(w.post(body, **{"Idempotency-Key": "my-key-7f3a"}), 201)
    assert first["buyer"]["name"] == "金丝雀"
    with client.app.state.hub.db.unit_of_work(write=False) as session:  # type: ignore[attr-defined]
        stored = session.execute(select(IdempotencyKey.key,
                                        IdempotencyKey.response_body)).one()
    assert "my-key-7f3a" not in stored.key and len(stored.key) == 64
    assert stored.response_body.startswith("v1:")
    assert "金丝雀" not in stored.response_body and "K-SEALED" not in stored.response_body
    again = w.post(body, **{"Idempotency-Key": "my-key-7f3a"})
    assert again.headers["Idempotent-Replayed"] == "true" and again.json() == first


def test_a_sealed_reply_opens_only_with_its_key_and_scope() -> None:
    sealed = sealing.seal("shop:1:2 POST /p", "key-a", '{"buyer": "张三"}')
    assert sealing.unseal("shop:1:2 POST /p", "key-a", sealed) == '{"buyer": "张三"}'
    for scope, key in (("shop:1:2 POST /p", "key-b"), ("shop:1:3 POST /p", "key-a")):
        with pytest.raises(InvalidTag):
            sealing.unseal(scope, key, sealed)
