"""A console session is for the console only: the API refuses its token, the console refuses
API tokens in its cookie, and it ends after `console_idle_minutes` without a request (each
request moves that on) and `session_days` after sign-in in any case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from tests import factories
from tests.api.support import assert_problem, ok
from tests.web.conftest import Visitor

from daifa.config import Settings
from daifa.kit.clock import FrozenClock
from daifa.web.security import SESSION_COOKIE

ME = "/api/v1/auth/me"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A short lifetime, so the test that keeps a session busy until it ends is quick."""
    return settings.model_copy(update={"session_days": 2, "console_idle_minutes": 600})


def _signed_in(someone: Visitor) -> bool:
    response = someone.get("/", follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def test_the_api_refuses_a_console_session_token(
        api: TestClient, person: Callable[[], Visitor]) -> None:
    someone = person()
    secret = someone.client.cookies.get(SESSION_COOKIE)
    assert secret
    assert_problem(api.get(ME, headers=factories.auth(secret)), 401,
                   "CONSOLE_SESSION_NOT_FOR_API")
    assert_problem(api.post("/api/v1/shops", json={"name": "店"},
                            headers=factories.auth(secret)), 401, "CONSOLE_SESSION_NOT_FOR_API")
    assert _signed_in(someone)  # the console itself is unaffected


def test_api_tokens_and_keys_still_work_but_not_as_a_console_cookie(
        api: TestClient, visitor: Callable[[], Visitor]) -> None:
    owner = factories.person(api)
    assert ok(api.get(ME, headers=owner.headers))["account"]["login"] == owner.login
    shop_id = factories.shop(api, owner)
    key = ok(api.post(f"/api/v1/shops/{shop_id}/api-keys", json={"name": "erp"},
                      headers=owner.headers), 201)["key"]
    assert api.get(f"/api/v1/shops/{shop_id}/products",
                   headers=factories.auth(key)).status_code == 200
    for token in (owner.token, key):
        someone = visitor()
        someone.client.cookies.set(SESSION_COOKIE, token)
        assert not _signed_in(someone)
        assert ok(api.get(ME, headers=owner.headers))  # and the token is left alone


def test_a_console_session_slides_while_used_and_ends_when_idle(
        person: Callable[[], Visitor], settings: Settings, clock: FrozenClock) -> None:
    idle = timedelta(minutes=settings.console_idle_minutes)
    someone = person()
    for _ in range(3):  # each visit, just before the idle limit, moves it on
        clock.advance(idle - timedelta(minutes=1))
        assert _signed_in(someone)
    clock.advance(idle + timedelta(seconds=1))
    assert not _signed_in(someone)
    assert someone.client.cookies.get(SESSION_COOKIE) is None


def test_a_console_session_ends_after_session_days_however_busy(
        person: Callable[[], Visitor], settings: Settings, clock: FrozenClock) -> None:
    idle = timedelta(minutes=settings.console_idle_minutes)
    lifetime = timedelta(days=settings.session_days)
    someone = person()
    used = timedelta(0)
    while used + idle / 2 < lifetime:
        clock.advance(idle / 2)
        used += idle / 2
        assert _signed_in(someone)
    clock.advance(lifetime - used)
    assert not _signed_in(someone)
