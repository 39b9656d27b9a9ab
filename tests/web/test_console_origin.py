"""Console form POSTs must come from this site: Origin (or Referer without it) is checked
before the CSRF token, so a cross-site post is 403 even with a valid token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from tests.web.conftest import Visitor

from daifa.db.uow import Database
from daifa.shops.models import Shop
from daifa.web import security


def _shops(db: Database) -> int:
    with db.unit_of_work(write=False) as session:
        return session.scalar(select(func.count()).select_from(Shop)) or 0


def _post(someone: Visitor, headers: dict[str, str]) -> tuple[int, str]:
    form = {"csrf": someone.csrf("/shops/new"), "name": "跨站小店"}
    response = someone.client.post("/shops", data=form, headers=headers,
                                   follow_redirects=False)
    return response.status_code, response.text


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://testserver.evil.example"},
    {"Origin": "https://testserver"},  # another scheme is another origin
    {"Referer": "https://evil.example/page"},
    {"Origin": "https://evil.example", "Referer": "http://testserver/shops/new"},
])
def test_a_cross_site_post_is_refused_even_with_a_valid_token(
        person: Callable[[], Visitor], db: Database, headers: dict[str, str]) -> None:
    someone = person()
    before = _shops(db)
    status, text = _post(someone, headers)
    assert status == 403
    assert 'data-testid="error-code">CROSS_SITE_POST<' in text
    assert _shops(db) == before


@pytest.mark.parametrize("headers", [
    {"Origin": "http://testserver"},
    {"Origin": "http://TESTSERVER:80"},
    {"Referer": "http://testserver/shops/new"},
    {},  # neither header: not a browser; the CSRF token still has to be right
])
def test_a_same_site_post_goes_through(person: Callable[[], Visitor], db: Database,
                                       headers: dict[str, str]) -> None:
    someone = person()
    before = _shops(db)
    status, _ = _post(someone, headers)
    assert status == 303
    assert _shops(db) == before + 1


def test_the_base_url_counts_as_this_site_behind_a_proxy() -> None:
    allowed = ("https://hub.example.com", "http://10.0.0.5:8000")
    assert security.same_site_post("https://hub.example.com", None, allowed)
    assert security.same_site_post(None, "https://hub.example.com:443/x?y=1", allowed)
    assert not security.same_site_post("http://hub.example.com", None, allowed)
    assert not security.same_site_post("https://hub.example.com.evil", None, allowed)
    assert not security.same_site_post(None, "javascript:alert(1)", allowed)
