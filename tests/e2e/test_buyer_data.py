"""Buyer data stays where it belongs: a failing statement's text never carries its
parameters (they reach logs through it), and stored replies of keyed requests are forgotten
on a schedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.idempotency.models import IdempotencyKey
from daifa.kit.clock import FrozenClock
from daifa.worker import SWEEPS, Worker
from tests.api.support import ok
from tests.orders.helpers import order_body, world

CANARY = "金丝雀十三号"


def test_a_failing_statement_does_not_show_its_parameters(db: Database) -> None:
    with pytest.raises(DBAPIError) as failed, db.unit_of_work() as session:
        session.execute(text("INSERT INTO no_such_table (name) VALUES (:name)"),
                        {"name": CANARY})
    assert CANARY not in str(failed.value)


def test_stored_replies_are_purged_after_a_day(client: TestClient, db: Database,
                                               settings: Settings, clock: FrozenClock) -> None:
    w = world(client, suppliers=1)
    body = order_body("KEYED-1", ("TEE-RED", 1))
    body["buyer"]["name"] = CANARY
    ok(w.post(body, **{"Idempotency-Key": "k-1"}), 201)
    worker = Worker(settings=settings, db=db, clock=clock, name="purger",
                    sweeps={"idempotency_keys.purge": SWEEPS["idempotency_keys.purge"]})
    assert worker.run_sweeps()["idempotency_keys.purge"] == 0
    clock.advance(timedelta(hours=24, minutes=1))
    assert worker.run_sweeps()["idempotency_keys.purge"] == 1
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0


NAME, PHONE, STREET = "金丝雀", "13700009999", "金丝雀路 13 号"
NEW_NAME, NEW_STREET = "银丝雀", "银丝雀路 14 号"


def _everything_stored(db: Database) -> str:
    """Every value of every row of every table, as text."""
    from daifa.registry import metadata

    with db.unit_of_work() as session:
        return "\n".join(str(value) for table in metadata.sorted_tables
                         for row in session.execute(select(table)) for value in row)


def test_the_buyer_is_nowhere_once_the_order_is_over(
        client: TestClient, db: Database, settings: Settings, clock: FrozenClock,
        caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from tests.aftersales.helpers import case_action
    from tests.tracking.helpers import event, post_events
    from tests.webhooks.helpers import register

    caplog.set_level(logging.DEBUG)
    w = world(client, suppliers=1)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    supplier = w.suppliers[0]
    register(client, w.merchant, "https://hooks.example.com/shop", org_id=w.shop_id)
    register(client, supplier.owner, "https://hooks.example.com/supplier", org="suppliers",
             org_id=supplier.supplier_id)
    body = order_body("PII-1", ("TEE-RED", 2), phone=PHONE)
    body["buyer"]["name"] = NAME
    body["buyer"]["address"]["detail"] = STREET
    order = ok(w.post(body, **{"Idempotency-Key": "pii-1"}), 201)
    ok(client.patch(w.url(f"/orders/{order['order_id']}/recipient"),
                    json={"name": NEW_NAME, "address": {**body["buyer"]["address"],
                                                        "detail": NEW_STREET}},
                    headers=w.headers))
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    headers = supplier.owner.headers
    ok(client.post(f"/api/v1/dispatch-orders/{no}/accept", headers=headers))
    assert ok(client.get(f"/api/v1/dispatch-orders/{no}/recipient?purpose=label",
                         headers=headers))["name"] == NEW_NAME
    assert client.get(f"/api/v1/dispatch-orders/{no}/label.pdf", headers=headers).status_code \
        == 200
    ok(client.post(f"/api/v1/dispatch-orders/{no}/ship",
                   json={"carrier": "SF", "tracking_no": "SF4000000000001"}, headers=headers))
    ok(post_events(client, [event("SF4000000000001", "delivered", clock.now())]), 202)
    worker = Worker(settings=settings, db=db, clock=clock, name="pii")
    worker.run_due_jobs()
    line_id = order["lines"][0]["line_id"]
    [case] = ok(client.post(w.url(f"/orders/{order['order_id']}/after-sales"), json={
        "type": "return_and_refund", "reason": "damaged",
        "lines": [{"line_id": line_id, "quantity": 1}]}, headers=w.headers), 201)["items"]
    stored = _everything_stored(db)
    assert NEW_NAME in stored  # the order needs it while it lives

    clock.advance(timedelta(days=8))
    worker.run_sweeps()
    # The case went to the platform (no return address): open, it keeps the order alive.
    assert NEW_NAME in _everything_stored(db)
    ok(case_action(client, w.platform, case["case_no"], "decide",
                   {"liability": "merchant", "refund_fen": 0, "note": "协商解决"}))
    clock.advance(timedelta(minutes=5))
    done = worker.run_sweeps()
    assert done["orders.erase_buyers"] == 1
    stored = _everything_stored(db)
    for canary in (NAME, NEW_NAME, STREET, NEW_STREET, PHONE, PHONE[-8:]):
        assert canary not in stored, canary
        assert canary not in caplog.text, canary
    shown = ok(client.get(w.url(f"/orders/{order['order_id']}"), headers=w.headers))
    assert shown["erased_at"] is not None
    assert shown["buyer"]["address"]["province"] == "浙江省"
    assert shown["buyer"]["name"] == "" and shown["buyer"]["address"]["detail"] == ""
