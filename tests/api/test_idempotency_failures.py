"""A keyed request that fails leaves its key free, also when part of its work is committed
anyway: by an error that keeps its changes (a failed sign-in's counter, an expiry found on the
way) or by a checkpoint (tests/api/test_time_budget.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI, Request, Response
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from daifa.api.deps import Call, writer
from daifa.api.idempotency import KeyHeader, respond
from daifa.app import create_app
from daifa.bindings.errors import ApplicationExpired
from daifa.config import Settings
from daifa.context import Ctx
from daifa.db.uow import Database
from daifa.idempotency.models import IdempotencyKey
from daifa.kit.clock import FrozenClock
from tests import factories
from tests.api.support import assert_problem

URL = "/api/v1/fails-keeping"


@pytest.fixture
def kept_app(settings: Settings, db: Database, clock: FrozenClock) -> Iterator[TestClient]:
    app: FastAPI = create_app(settings, clock=clock, database=db)

    def fails_keeping(request: Request, key: str | None = KeyHeader,
                      call: Call = Depends(writer)) -> Response:
        def handle(ctx: Ctx) -> tuple[int, bytes]:
            ctx.session.execute(text("INSERT INTO kept_probe VALUES (1)"))
            raise ApplicationExpired()  # keeps the changes it found on the way

        return respond(call, request, key, {}, handle)

    app.add_api_route(URL, fails_keeping, methods=["POST"],
                      include_in_schema=False)
    with db.unit_of_work() as session:
        session.execute(text("CREATE TABLE kept_probe (n INTEGER)"))
    try:
        with TestClient(app) as client:
            yield client
    finally:
        with db.unit_of_work() as session:
            session.execute(text("DROP TABLE kept_probe"))


def _count(db: Database, sql: str) -> int:
    with db.unit_of_work(write=False) as session:
        return int(session.execute(text(sql)).scalar_one())


def test_an_error_that_keeps_its_changes_does_not_keep_the_claim(kept_app: TestClient,
                                                                  db: Database) -> None:
    headers = {**factories.person(kept_app).headers, "Idempotency-Key": "kept-1"}
    assert_problem(kept_app.post(URL, headers=headers), 409, "APPLICATION_EXPIRED")
    assert _count(db, "SELECT count(*) FROM kept_probe") == 1  # the error's changes stay
    with db.unit_of_work(write=False) as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    # the retry runs again (not 409 IDEMPOTENCY_KEY_IN_USE for the claim's minute)
    assert_problem(kept_app.post(URL, headers=headers), 409, "APPLICATION_EXPIRED")
    assert _count(db, "SELECT count(*) FROM kept_probe") == 2
