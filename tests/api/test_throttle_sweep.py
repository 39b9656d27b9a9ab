"""The worker forgets sign-in throttle rows once they count for nothing, and keeps the rest."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.identity.models import LoginThrottle
from daifa.kit.clock import FrozenClock
from daifa.worker import SWEEPS, Worker
from tests import factories
from tests.api.support import assert_problem, ok

SWEEP = "login_throttles.expire"


def _sign_in(client: TestClient, login: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", json={"login": login, "password": password})


def _logins(db: Database) -> set[str]:
    with db.unit_of_work(write=False) as session:
        return set(session.scalars(select(LoginThrottle.login)))


def test_stale_throttle_rows_are_swept_and_live_ones_kept(
        client: TestClient, settings: Settings, db: Database, clock: FrozenClock) -> None:
    worker = Worker(settings=settings, db=db, clock=clock, name="test-worker",
                    sweeps={SWEEP: SWEEPS[SWEEP]})
    for n in range(3):  # one failure each under logins that do not exist
        assert_problem(_sign_in(client, f"nobody{n}", "wrong password"),
                       401, "INVALID_CREDENTIALS")
    for _ in range(settings.login_max_failures):  # one login locked out
        _sign_in(client, "locked", "wrong password")
    assert _logins(db) == {"nobody0", "nobody1", "nobody2", "locked"}
    assert worker.run_sweeps()[SWEEP] == 0  # every window is still open

    clock.advance(timedelta(seconds=settings.login_window_seconds + 1))
    _sign_in(client, "fresh", "wrong password")
    assert worker.run_sweeps()[SWEEP] == 4  # the lockout (60 s) ended before the window did
    assert _logins(db) == {"fresh"}


def test_a_row_still_locking_is_kept_past_its_window(
        client: TestClient, db: Database, clock: FrozenClock) -> None:
    # The app locks for 60 s; a worker told of a 10 s window sees that lock outlive it.
    settings = Settings(database_url="sqlite://", secret_key="x", login_window_seconds=10,
                        password_profile="cheapest")
    worker = Worker(settings=settings, db=db, clock=clock, name="test-worker",
                    sweeps={SWEEP: SWEEPS[SWEEP]})
    person = factories.person(client)
    for _ in range(5):  # the app's login_max_failures
        _sign_in(client, person.login, "wrong password")
    clock.advance(timedelta(seconds=11))
    assert worker.run_sweeps()[SWEEP] == 0
    assert _logins(db) == {person.login}
    clock.advance(timedelta(seconds=50))
    assert worker.run_sweeps()[SWEEP] == 1 and _logins(db) == set()
    ok(_sign_in(client, person.login, factories.PASSWORD))
