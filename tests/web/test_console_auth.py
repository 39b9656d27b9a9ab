"""Console accounts: sign up, sign in, sign out, the session cookie, CSRF, throttling."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from tests import factories
from tests.web.conftest import Visitor, text_of

from daifa.app import create_app
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.identity.models import Account
from daifa.kit.clock import FrozenClock
from daifa.web.security import ANON_COOKIE, SESSION_COOKIE, anonymous_csrf


def _accounts(db: Database) -> int:
    with db.unit_of_work(write=False) as session:
        return session.scalar(select(func.count()).select_from(Account)) or 0


def test_anonymous_root_goes_to_sign_in(visitor: Callable[[], Visitor]) -> None:
    response = visitor().get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?next=/"


def test_sign_up_signs_in_and_shows_an_empty_dashboard(visitor: Callable[[], Visitor]) -> None:
    someone = visitor()
    response = someone.sign_up("newbie")
    assert response.status_code == 200
    assert str(response.url) == "http://testserver/"
    page = text_of(response)
    assert "newbie" in page
    assert 'data-testid="no-shops"' in response.text
    assert 'data-testid="no-suppliers"' in response.text
    assert 'href="/shops/new"' in response.text and 'href="/suppliers/new"' in response.text


def test_session_cookie_is_httponly_and_lax(visitor: Callable[[], Visitor]) -> None:
    someone = visitor()
    form = {"csrf": someone.csrf("/signup"), "login": "cookies", "password": "long enough pw",
            "display_name": "C"}
    response = someone.client.post("/signup", data=form, follow_redirects=False)
    assert response.status_code == 303
    cookie = next(h for h in response.headers.get_list("set-cookie")
                  if h.startswith(SESSION_COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert cookie.split("=", 1)[1].startswith("dfs_")


def test_session_cookie_is_secure_when_configured(settings: Settings, db: Database,
                                                  clock: FrozenClock) -> None:
    app = create_app(settings.model_copy(update={"cookie_secure": True}), clock=clock,
                     database=db)
    with TestClient(app, base_url="https://testserver") as client:
        someone = Visitor(client)
        form = {"csrf": someone.csrf("/signup"), "login": "secure",
                "password": "long enough pw"}
        response = client.post("/signup", data=form, follow_redirects=False)
        cookies = response.headers.get_list("set-cookie")
        assert any(h.startswith(SESSION_COOKIE + "=") for h in cookies)
        assert all("Secure" in h for h in cookies)


def test_sign_up_refuses_a_taken_login_and_keeps_what_was_typed(
        visitor: Callable[[], Visitor], db: Database) -> None:
    visitor().sign_up("taken")
    before = _accounts(db)
    response = visitor().sign_up("taken")
    assert str(response.url) == "http://testserver/signup"
    assert 'data-testid="signup-code">LOGIN_TAKEN<' in response.text
    assert 'value="taken"' in response.text
    assert _accounts(db) == before


def test_sign_up_refuses_a_weak_password(visitor: Callable[[], Visitor]) -> None:
    response = visitor().sign_up("weakling", password="short")
    assert "WEAK_PASSWORD" in response.text
    assert "密码至少需要 8 个字符" in text_of(response)


def test_wrong_password_and_unknown_login_get_the_same_message(
        api: TestClient, visitor: Callable[[], Visitor]) -> None:
    factories.person(api, "known")
    wrong = visitor().sign_in("known", "wrong password")
    unknown = visitor().sign_in("nobody-here", "wrong password")
    for response in (wrong, unknown):
        assert str(response.url) == "http://testserver/signin"
        assert 'data-testid="signin-code">INVALID_CREDENTIALS<' in response.text
    assert text_of(wrong).replace("known", "?") == text_of(unknown).replace("nobody-here", "?")


def test_repeated_failures_are_throttled_with_the_wait(api: TestClient, settings: Settings,
                                                       visitor: Callable[[], Visitor]) -> None:
    factories.person(api, "target")
    someone = visitor()
    for _ in range(settings.login_max_failures):
        assert "INVALID_CREDENTIALS" in someone.sign_in("target", "wrong password").text
    response = someone.sign_in("target", factories.PASSWORD)
    assert 'data-testid="signin-code">TOO_MANY_ATTEMPTS<' in response.text
    assert f"请在 {settings.login_lockout_seconds} 秒后重试" in text_of(response)
    assert someone.get("/", follow_redirects=False).status_code == 303  # still signed out


def test_sign_in_returns_to_next_and_refuses_other_sites(api: TestClient,
                                                         visitor: Callable[[], Visitor]) -> None:
    person = factories.person(api)
    someone = visitor()
    form = {"csrf": someone.csrf("/signin"), "login": person.login,
            "password": factories.PASSWORD, "next": "https://evil.example/"}
    response = someone.client.post("/signin", data=form, follow_redirects=False)
    assert response.headers["location"] == "/"
    other = visitor()
    form["csrf"], form["next"] = other.csrf("/signin"), "/shops/new"
    response = other.client.post("/signin", data=form, follow_redirects=False)
    assert response.headers["location"] == "/shops/new"


def test_sign_out_ends_the_session(api: TestClient, visitor: Callable[[], Visitor]) -> None:
    person = factories.person(api)
    someone = visitor()
    someone.sign_in(person.login)
    secret = someone.client.cookies.get(SESSION_COOKIE)
    assert secret
    response = someone.submit("/signout")
    assert str(response.url) == "http://testserver/signin"
    assert "你已退出登录" in text_of(response)
    assert someone.client.cookies.get(SESSION_COOKIE) is None
    assert api.get("/api/v1/auth/me", headers=factories.auth(secret)).status_code == 401
    someone.client.cookies.set(SESSION_COOKIE, secret)  # a stolen copy no longer works
    assert someone.get("/", follow_redirects=False).status_code == 303


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(
        visitor: Callable[[], Visitor], db: Database) -> None:
    someone = visitor()
    someone.get("/signup")  # has the anonymous cookie, but sends no token
    before = _accounts(db)
    response = someone.client.post("/signup", data={"login": "sneaky",
                                                    "password": "long enough pw"})
    assert response.status_code == 403
    assert 'data-testid="error-code">CSRF_FAILED<' in response.text
    assert _accounts(db) == before


def test_anonymous_token_is_bound_to_its_cookie(visitor: Callable[[], Visitor],
                                                db: Database) -> None:
    mine, theirs = visitor(), visitor()
    token = mine.csrf("/signup")
    theirs.get("/signup")
    assert theirs.client.cookies.get(ANON_COOKIE) != mine.client.cookies.get(ANON_COOKIE)
    before = _accounts(db)
    response = theirs.client.post("/signup", data={"csrf": token, "login": "replayed",
                                                   "password": "long enough pw"})
    assert response.status_code == 403
    assert _accounts(db) == before


def test_signed_in_forms_need_the_session_token(person: Callable[[], Visitor],
                                                settings: Settings) -> None:
    someone = person()
    nonce = someone.client.cookies.get(ANON_COOKIE)
    assert nonce  # set when the sign-up form was shown
    anonymous_token = anonymous_csrf(settings.secret_key, nonce)
    response = someone.client.post("/shops", data={"csrf": anonymous_token, "name": "x"})
    assert response.status_code == 403
    response = someone.client.post("/shops", data={"name": "x"})
    assert response.status_code == 403
    assert 'data-testid="no-shops"' in someone.get("/").text


def test_a_signed_in_person_skips_the_sign_in_page(person: Callable[[], Visitor]) -> None:
    response = person().get("/signin?next=/shops/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/shops/new"


def test_console_pages_are_not_cached_framed_or_leaked(visitor: Callable[[], Visitor]) -> None:
    for response in (visitor().get("/signin"), visitor().get("/", follow_redirects=False)):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
