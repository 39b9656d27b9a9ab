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
