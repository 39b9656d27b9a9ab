"""Chinese by default, English on request (a cookie); codes and times stay as they are."""

from __future__ import annotations

import io
from collections.abc import Callable

from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from tests import factories
from tests.web.conftest import Visitor, text_of

from daifa.web import catalogs, i18n
from daifa.web.security import LOCALE_COOKIE


def test_chinese_is_the_default(visitor: Callable[[], Visitor]) -> None:
    response = visitor().get("/signin")
    assert '<html lang="zh-CN"' in response.text
    assert "登录名" in text_of(response)


def test_switching_to_english_and_back(person: Callable[[], Visitor]) -> None:
    someone = person()
    response = someone.get("/locale/en?next=/shops/new")
    assert str(response.url) == "http://testserver/shops/new"
    assert someone.client.cookies.get(LOCALE_COOKIE) == "en"
    assert '<html lang="en"' in response.text
    assert "Open a shop" in text_of(response)
    response = someone.get("/locale/zh_CN?next=/")
    assert "开通小店" in text_of(response)


def test_an_unknown_locale_falls_back_to_chinese(visitor: Callable[[], Visitor]) -> None:
    someone = visitor()
    someone.get("/locale/xx")
    assert '<html lang="zh-CN"' in someone.get("/signin").text


def test_the_switch_never_redirects_off_site(visitor: Callable[[], Visitor]) -> None:
    response = visitor().get("/locale/en?next=//evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_codes_stay_untranslated_in_english(person: Callable[[], Visitor]) -> None:
    someone = person()
    someone.get("/locale/en")
    shop_page = someone.submit("/shops", {"name": "Shop"})
    shop_path = shop_page.url.path
    response = someone.submit(f"{shop_path}/applications", {"supplier_id": "SH1234567890"})
    assert 'data-testid="apply-code">NOT_A_SUPPLIER_ID<' in response.text
    assert "SH1234567890 is a Shop ID (it starts with SH)" in text_of(response)


def test_times_show_in_shanghai(api: TestClient, console_for: Callable[[str], Visitor]) -> None:
    owner = factories.person(api)
    supplier_id = factories.supplier(api, owner)
    page = console_for(owner.login).get(f"/suppliers/{supplier_id}")
    # the test clock stands at 2026-11-25 02:00 UTC, which is 10:00 in Shanghai
    assert "2026-11-25 10:00:00" in text_of(page)


def test_catalogs_load_without_a_compile_step() -> None:
    loaded = i18n.load_all()
    assert set(loaded) == set(i18n.LOCALES)
    assert loaded["zh_CN"].gettext("Sign in") == "登录"
    assert loaded["en"].gettext("Sign in") == "Sign in"
    assert not list(i18n.TRANSLATIONS_DIR.rglob("*.mo"))


def test_every_message_is_in_the_catalogs_and_translated_into_chinese() -> None:
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogs.extract() if m.id}
    for locale in i18n.LOCALES:
        with catalogs.po_path(locale).open("rb") as handle:
            catalog = read_po(io.BytesIO(handle.read()), locale=locale)
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
        assert extracted - known == set(), f"run python -m daifa.web.catalogs ({locale})"
    assert catalogs.untranslated(catalogs.read("zh_CN")) == []
