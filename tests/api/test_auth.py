"""Sign-up, sign-in with its throttle, tokens, sign-out, and errors outside any domain."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from daifa.config import Settings
from daifa.kit.clock import FrozenClock
from tests import factories
from tests.api.support import assert_problem, ok, same_problem

SIGNUP = "/api/v1/auth/signup"
TOKEN = "/api/v1/auth/token"
ME = "/api/v1/auth/me"


def _signup(client: TestClient, login: str, password: str = factories.PASSWORD,
            display_name: str = "Someone") -> object:
    return client.post(SIGNUP, json={"login": login, "password": password,
                                     "display_name": display_name})


def _sign_in(client: TestClient, login: str, password: str = factories.PASSWORD) -> object:
    return client.post(TOKEN, json={"login": login, "password": password})


def test_signup_creates_an_account(client: TestClient, clock: FrozenClock) -> None:
    response = _signup(client, "Alice.Wang", display_name=" 王小丽 ")
    body = ok(response, 201)
    assert body["login"] == "alice.wang"
    assert body["display_name"] == "王小丽"
    assert body["is_admin"] is False
    assert body["created_at"].startswith(clock.now().strftime("%Y-%m-%dT%H:%M:%S"))
    assert "password" not in str(body) and "hash" not in str(body)


@pytest.mark.parametrize("login", ["ab", "-alice", ".alice", "al ice", "x" * 65, "张三丰"])
def test_signup_refuses_a_malformed_login(client: TestClient, login: str) -> None:
    assert_problem(_signup(client, login), 422, "INVALID_LOGIN")


@pytest.mark.parametrize("password", ["short", "1234567", "x" * 257])
def test_signup_refuses_a_weak_password(client: TestClient, password: str) -> None:
    assert_problem(_signup(client, "bob", password=password), 422, "WEAK_PASSWORD")


@pytest.mark.parametrize("login", ["carol", "CAROL", "Carol"])
def test_signup_refuses_a_taken_login_whatever_its_case(client: TestClient, login: str) -> None:
    ok(_signup(client, "carol"), 201)
    assert_problem(_signup(client, login), 409, "LOGIN_TAKEN")


@pytest.mark.parametrize("body", [{}, {"login": "dave"}, {"login": "dave", "password": 12345678},
                                  {"login": "dave", "password": "long enough", "display_name": ""},
                                  {"login": "dave", "password": "long enough",
                                   "display_name": "  "},
                                  []])
def test_signup_with_a_malformed_body_is_a_validation_problem(client: TestClient,
                                                              body: object) -> None:
    problem = assert_problem(client.post(SIGNUP, json=body), 422, "VALIDATION_FAILED")
    assert problem["errors"]


def test_sign_in_gives_a_bearer_token(client: TestClient, settings: Settings,
                                      clock: FrozenClock) -> None:
    ok(_signup(client, "erin"), 201)
    body = ok(_sign_in(client, "  ERIN "))
    assert body["token_type"] == "bearer"
    assert body["access_token"].startswith("dfs_") and len(body["access_token"]) >= 36
    me = ok(client.get(ME, headers=factories.auth(body["access_token"])))
    assert me["account"]["login"] == "erin"
    assert (me["shops"], me["suppliers"]) == ([], [])
    expires = clock.now() + timedelta(days=settings.session_days)
    assert body["expires_at"].startswith(expires.strftime("%Y-%m-%dT%H:%M:%S"))


def test_unknown_login_and_wrong_password_look_the_same(client: TestClient) -> None:
    ok(_signup(client, "frank"), 201)
    unknown = _sign_in(client, "nobody-here")
    wrong = _sign_in(client, "frank", "not the password")
    assert_problem(unknown, 401, "INVALID_CREDENTIALS")
    assert_problem(wrong, 401, "INVALID_CREDENTIALS")
    assert same_problem(unknown, wrong)
    assert unknown.json()["detail"] == wrong.json()["detail"]


@pytest.mark.parametrize("exists", [True, False], ids=["known-login", "unknown-login"])
def test_repeated_failures_are_throttled_even_for_the_right_password(
        client: TestClient, settings: Settings, clock: FrozenClock, exists: bool) -> None:
    if exists:
        ok(_signup(client, "grace"), 201)
    for _ in range(settings.login_max_failures):
        assert_problem(_sign_in(client, "grace", "wrong password"), 401, "INVALID_CREDENTIALS")
    for password in ("wrong password", factories.PASSWORD):
        response = _sign_in(client, "grace", password)
        assert_problem(response, 429, "TOO_MANY_ATTEMPTS")
        assert response.headers["Retry-After"] == str(settings.login_lockout_seconds)
    clock.advance(timedelta(seconds=settings.login_lockout_seconds - 1))
    response = _sign_in(client, "grace")
    assert_problem(response, 429, "TOO_MANY_ATTEMPTS")
    assert response.headers["Retry-After"] == "1"
    clock.advance(timedelta(seconds=1))
    if exists:
        ok(_sign_in(client, "grace"))
        for _ in range(settings.login_max_failures - 1):  # a success starts the count afresh
            assert_problem(_sign_in(client, "grace", "wrong"), 401, "INVALID_CREDENTIALS")
        ok(_sign_in(client, "grace"))
    else:
        assert_problem(_sign_in(client, "grace"), 401, "INVALID_CREDENTIALS")


def test_the_lockout_doubles_when_failures_go_on(client: TestClient, settings: Settings,
                                                 clock: FrozenClock) -> None:
    ok(_signup(client, "heidi"), 201)
    for _ in range(settings.login_max_failures):
        _sign_in(client, "heidi", "wrong password")
    clock.advance(timedelta(seconds=settings.login_lockout_seconds))
    assert_problem(_sign_in(client, "heidi", "wrong again"), 401, "INVALID_CREDENTIALS")
    response = _sign_in(client, "heidi")
    assert_problem(response, 429, "TOO_MANY_ATTEMPTS")
    assert response.headers["Retry-After"] == str(2 * settings.login_lockout_seconds)


def test_the_throttle_is_per_login(client: TestClient, settings: Settings) -> None:
    ok(_signup(client, "ivan"), 201)
    ok(_signup(client, "judy"), 201)
    for _ in range(settings.login_max_failures):
        _sign_in(client, "ivan", "wrong password")
    assert_problem(_sign_in(client, "ivan"), 429, "TOO_MANY_ATTEMPTS")
    ok(_sign_in(client, "judy"))


def test_failures_spread_beyond_the_window_never_lock(client: TestClient, settings: Settings,
                                                      clock: FrozenClock) -> None:
    ok(_signup(client, "kim"), 201)
    for _ in range(3 * settings.login_max_failures):
        assert_problem(_sign_in(client, "kim", "wrong"), 401, "INVALID_CREDENTIALS")
        clock.advance(timedelta(seconds=settings.login_window_seconds // 2 + 1))
    ok(_sign_in(client, "kim"))


def test_no_token_is_401_with_a_bearer_challenge(client: TestClient) -> None:
    response = client.get(ME)
    assert_problem(response, 401, "UNAUTHENTICATED")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Bearer garbage", "Bearer dfs_" + "A" * 32,
                                    "Bearer dfk_" + "A" * 32])
def test_an_unknown_token_is_401(client: TestClient, header: str) -> None:
    response = client.get(ME, headers={"Authorization": header})
    assert_problem(response, 401, "INVALID_TOKEN")
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_non_bearer_scheme_counts_as_no_token(client: TestClient) -> None:
    assert_problem(client.get(ME, headers={"Authorization": "Basic YWxpY2U6cHc="}), 401,
                   "UNAUTHENTICATED")


def test_sign_out_revokes_only_that_session(client: TestClient) -> None:
    someone = factories.person(client)
    second = factories.token_for(client, someone.login)
    response = client.delete(TOKEN, headers=someone.headers)
    assert response.status_code == 204 and response.content == b""
    assert_problem(client.get(ME, headers=someone.headers), 401, "INVALID_TOKEN")
    assert_problem(client.delete(TOKEN, headers=someone.headers), 401, "INVALID_TOKEN")
    ok(client.get(ME, headers=factories.auth(second)))


def test_sign_out_needs_a_token(client: TestClient) -> None:
    assert_problem(client.delete(TOKEN), 401, "UNAUTHENTICATED")


def test_sessions_expire(client: TestClient, settings: Settings, clock: FrozenClock) -> None:
    someone = factories.person(client)
    clock.advance(timedelta(days=settings.session_days) - timedelta(seconds=1))
    ok(client.get(ME, headers=someone.headers))
    clock.advance(timedelta(seconds=1))
    assert_problem(client.get(ME, headers=someone.headers), 401, "INVALID_TOKEN")


def test_me_lists_what_the_account_owns(client: TestClient) -> None:
    someone = factories.person(client)
    other = factories.person(client)
    shop_id = factories.shop(client, someone)
    supplier_id = factories.supplier(client, someone)
    factories.shop(client, other)
    me = ok(client.get(ME, headers=someone.headers))
    assert [s["shop_id"] for s in me["shops"]] == [shop_id]
    assert [s["supplier_id"] for s in me["suppliers"]] == [supplier_id]
    assert me["suppliers"][0]["contact_phone"] == "+8613812345678"


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v1/nothing-here"), ("POST", "/api/v1/shops/SH1234567890/nothing"),
    ("GET", "/api/v2/auth/me"),
])
def test_unknown_routes_are_404_problems(client: TestClient, method: str, path: str) -> None:
    assert_problem(client.request(method, path), 404, "NOT_FOUND")


def test_a_wrong_method_is_405_problem(client: TestClient) -> None:
    assert_problem(client.put(SIGNUP, json={}), 405, "METHOD_NOT_ALLOWED")
