"""Every request has a time budget: database work past it stops with 503
REQUEST_TIME_EXCEEDED, the request's changes roll back, and the server goes on answering."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Depends, FastAPI, Request, Response
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from daifa.api.deps import Call, writer
from daifa.api.idempotency import KeyHeader, respond
from daifa.app import create_app
from daifa.config import Settings
from daifa.context import Ctx
from daifa.db.uow import Database
from daifa.idempotency.models import IdempotencyKey
from daifa.kit.clock import FrozenClock
from tests import factories
from tests.api.support import assert_problem

ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"


@pytest.fixture
def slow_app(settings: Settings, db: Database, clock: FrozenClock) -> Iterator[TestClient]:
    app: FastAPI = create_app(settings.model_copy(update={"request_time_budget_seconds": 1}),
                              clock=clock, database=db)

    def slow(call: Call = Depends(writer)) -> dict[str, str]:
        with call.ctx() as ctx:
            ctx.session.execute(text("INSERT INTO budget_probe VALUES (1)"))
            if ctx.session.get_bind().dialect.name == "sqlite":
                ctx.session.execute(text(ENDLESS))  # cut short as it runs
            else:
                ctx.session.execute(text("SELECT pg_sleep(1.2)"))
                ctx.session.execute(text("SELECT 1"))  # refused: the budget is spent
        return {"done": "yes"}

    def slow_keyed(request: Request, key: str | None = KeyHeader,
                   call: Call = Depends(writer)) -> Response:
        def handle(ctx: Ctx) -> tuple[int, bytes]:
            ctx.checkpoint()  # as a long batch does: the claim is committed from here on
            ctx.session.execute(text("INSERT INTO budget_probe VALUES (2)"))
            ctx.session.execute(text(ENDLESS if ctx.session.get_bind().dialect.name == "sqlite"
                                     else "SELECT pg_sleep(1.2)"))
            ctx.session.execute(text("SELECT 1"))
            return 201, b"{}"

        return respond(call, request, key, {}, handle)

    app.add_api_route("/api/v1/slow", slow, methods=["POST"], include_in_schema=False)
    app.add_api_route("/api/v1/slow-keyed", slow_keyed, methods=["POST"],
                      include_in_schema=False)
    with db.unit_of_work() as session:
        session.execute(text("CREATE TABLE budget_probe (n INTEGER)"))
    try:
        with TestClient(app) as client:
            yield client
    finally:
        with db.unit_of_work() as session:
            session.execute(text("DROP TABLE budget_probe"))


def test_work_past_the_budget_is_stopped_and_rolled_back(slow_app: TestClient,
                                                          db: Database) -> None:
    merchant = factories.person(slow_app)
    response = slow_app.post("/api/v1/slow", headers=merchant.headers)
    body = assert_problem(response, 503, "REQUEST_TIME_EXCEEDED")
    assert body["seconds"] == 1
    with db.unit_of_work(write=False) as session:
        assert session.execute(text("SELECT count(*) FROM budget_probe")).scalar() == 0
    assert factories.shop(slow_app, merchant)  # the next request is served as usual


def test_work_outside_a_request_has_no_deadline(db: Database) -> None:
    limited = ENDLESS.replace("FROM n)", "FROM n WHERE x < 300000)")
    with db.unit_of_work(write=False) as session:
        assert session.execute(text(limited)).scalar() == 300000


def test_a_keyed_request_past_its_budget_frees_its_key(slow_app: TestClient,
                                                       db: Database) -> None:
    """A claim a checkpoint committed is freed outside the spent budget, so a retry runs
    again instead of waiting for the claim to lapse (409 IDEMPOTENCY_KEY_IN_USE)."""
    merchant = factories.person(slow_app)
    headers = {**merchant.headers, "Idempotency-Key": "slow-1"}
    assert_problem(slow_app.post("/api/v1/slow-keyed", headers=headers), 503,
                   "REQUEST_TIME_EXCEEDED")
    with db.unit_of_work(write=False) as session:
        assert session.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
        assert session.execute(text("SELECT count(*) FROM budget_probe")).scalar() == 0
    again = slow_app.post("/api/v1/slow-keyed", headers=headers)
    assert_problem(again, 503, "REQUEST_TIME_EXCEEDED")  # ran again, not 409
