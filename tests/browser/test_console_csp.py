"""The console under its Content-Security-Policy in a real Chromium: the page may not eval,
and the Alpine components (the CSP build) still work, with no policy violation reported."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest

from daifa.config import Settings
from daifa.context import Actor, Ctx, Scope
from daifa.fulfilment.reactions import REACTIONS
from daifa.identity import service as identity
from daifa.shops import service as shops
from daifa.shops.schemas import ShopIn
from tests.browser.live import DESKTOP, served
from tests.browser.live import chromium as launch_chromium

pytestmark = pytest.mark.browser
PASSWORD = "browser-test-pw"


@dataclass
class World:
    base_url: str
    shop_id: str


def _seed(settings: Settings, app: Any) -> World:
    hub = app.state.hub
    with hub.db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS, session=session, actor=Actor.system("browser-test"),
                  settings=settings, clock=hub.clock)
        merchant = identity.signup(ctx, "merchant", PASSWORD, "小王")
        as_merchant = replace(ctx, actor=Actor(scope=Scope.PERSON, account_id=merchant.id))
        shop = shops.create(as_merchant, ShopIn(name="小王的好物店"))
        return World(settings.base_url, shop.shop_id)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served(tmp_path_factory.mktemp("browser"), _seed) as world:
        yield world


# Adds an inline script to the page; resolves with the directive that refused it, or with what
# the script did if it ran.
_INLINE_SCRIPT = """() => new Promise((resolve) => {
  document.addEventListener("securitypolicyviolation", (e) => resolve(e.violatedDirective),
                            { once: true });
  const script = document.createElement("script");
  script.textContent = "window.daifaInlineRan = true";
  document.head.appendChild(script);
  setTimeout(() => resolve("ran: " + window.daifaInlineRan), 2000);
})"""


def test_no_inline_script_and_the_components_still_work(live: World) -> None:
    from playwright.sync_api import expect

    with launch_chromium() as browser:
        context = browser.new_context(base_url=live.base_url, viewport=DESKTOP, locale="zh-CN")
        context.set_default_timeout(15_000)
        page = context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
        page.on("console", lambda m: problems.append(f"console: {m.text}")
                if m.type == "error" else None)
        page.goto("/signin")
        page.get_by_test_id("signin-login").fill("merchant")
        page.get_by_test_id("signin-password").fill(PASSWORD)
        page.get_by_test_id("signin-submit").click()
        page.wait_for_load_state()
        response = page.goto(f"/shops/{live.shop_id}/new-product")
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert page.evaluate(_INLINE_SCRIPT).startswith("script-src")  # refused, and said so
        problems.clear()  # that refusal was the point; nothing else may be refused
        rows = page.get_by_test_id("sku-rows").locator("fieldset.sku-row")
        expect(rows).to_have_count(1)
        page.get_by_test_id("add-sku-row").click()
        page.get_by_test_id("add-sku-row").click()
        expect(rows).to_have_count(3)
        rows.nth(1).get_by_role("button").click()  # Remove
        expect(rows.nth(1)).to_be_hidden()
        expect(rows.nth(2)).to_be_visible()
        context.close()
    assert problems == [], problems
