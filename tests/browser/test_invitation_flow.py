"""The console in a real headless Chromium: a shop invites, a supplier accepts, both see it.

The app runs under uvicorn in a background thread on a free 127.0.0.1 port, against a migrated
temporary SQLite database. Debian's chromium is driven by Playwright's sync API. Without
/usr/bin/chromium the test is skipped, unless DAIFA_REQUIRE_BROWSER=1 makes that a failure.
Screenshots go to pytest's tmp dir, or to DAIFA_SCREENSHOT_DIR when that is set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from daifa.config import Settings
from daifa.context import Actor, Ctx, Scope
from daifa.fulfilment.reactions import REACTIONS
from daifa.identity import service as identity
from daifa.shops import service as shops
from daifa.shops.schemas import ShopIn
from daifa.suppliers import service as suppliers
from daifa.suppliers.schemas import SupplierIn
from tests.browser.live import DESKTOP, PHONE, screenshot_dir, served
from tests.browser.live import chromium as launch_chromium

pytestmark = pytest.mark.browser

PASSWORD = "browser-test-pw"


@dataclass
class World:
    base_url: str
    shop_id: str
    shop_name: str
    supplier_id: str
    supplier_name: str


def _seed(settings: Settings, app: Any) -> World:
    """Accounts made the way the CLI and the console make them: a platform admin, a merchant
    with a shop, and a supplier that onboarded and is waiting for review."""
    hub = app.state.hub
    with hub.db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("browser-test"), settings=settings,
                  clock=hub.clock)
        identity.signup(ctx, "platform", PASSWORD, "平台", is_admin=True)
        merchant = identity.signup(ctx, "merchant", PASSWORD, "小王")
        owner = identity.signup(ctx, "supplier", PASSWORD, "陈经理")
        as_merchant = replace(ctx, actor=Actor(scope=Scope.PERSON, account_id=merchant.id))
        shop = shops.create(as_merchant, ShopIn(name="小王的好物店"))
        as_owner = replace(ctx, actor=Actor(scope=Scope.PERSON, account_id=owner.id))
        supplier = suppliers.onboard(as_owner, SupplierIn(
            name="杭州好物供应链", contact_phone="13812345678", region="浙江省 杭州市"))
        return World(settings.base_url, shop.shop_id, shop.name, supplier.supplier_id,
                     supplier.name)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The real app on a free port, in a thread, with its own migrated SQLite database."""
    with served(tmp_path_factory.mktemp("browser"), _seed) as world:
        yield world


@pytest.fixture(scope="module")
def chromium(live: World) -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return screenshot_dir(tmp_path)


class Person:
    """One person in a browser context of their own, watching for broken pages."""

    def __init__(self, browser: Any, base_url: str, viewport: dict[str, int]) -> None:
        self.context = browser.new_context(base_url=base_url, viewport=viewport,
                                           locale="zh-CN")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}")
                     if m.type == "error" and "Content Security Policy" in m.text else None)
        self.page.on("response", self._check)

    def _check(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def sign_in(self, login: str) -> None:
        self.page.get_by_test_id("signin-login").fill(login)
        self.page.get_by_test_id("signin-password").fill(PASSWORD)
        self.page.get_by_test_id("signin-submit").click()
        self.page.wait_for_load_state()

    def close(self) -> None:
        self.context.close()


def test_a_supplier_accepts_an_invitation_and_the_shop_sees_it(
        live: World, chromium: Any, shots: Path) -> None:
    from playwright.sync_api import expect

    # The platform admin approves the waiting supplier.
    admin = Person(chromium, live.base_url, DESKTOP)
    admin.page.goto("/admin/suppliers")
    admin.sign_in("platform")
    row = admin.page.get_by_test_id(f"review-{live.supplier_id}")
    row.get_by_test_id(f"approve-{live.supplier_id}-open").click()
    row.get_by_test_id(f"approve-{live.supplier_id}-submit").click()
    expect(admin.page.get_by_test_id("flash-success")).to_contain_text(live.supplier_id)

    # The merchant, on a phone, creates an invitation in the console.
    merchant = Person(chromium, live.base_url, PHONE)
    merchant.page.goto("/")
    merchant.sign_in("merchant")
    merchant.page.get_by_test_id(f"shop-{live.shop_id}").click()
    expect(merchant.page.get_by_test_id("shop-id")).to_have_text(live.shop_id)
    merchant.page.screenshot(path=str(shots / "shop-phone.png"), full_page=True)
    # htmx checks a typed Supplier ID as one types: a Shop ID is not one.
    merchant.page.get_by_test_id("apply-supplier-id").fill(live.shop_id)
    expect(merchant.page.get_by_test_id("check-problem")).to_contain_text("NOT_A_SUPPLIER_ID")
    merchant.page.get_by_test_id("apply-supplier-id").fill(live.supplier_id.lower())
    expect(merchant.page.get_by_test_id("check-found")).to_contain_text(live.supplier_name)
    merchant.page.get_by_test_id("invitation-hours").fill("24")
    merchant.page.get_by_test_id("invitation-create").click()
    link_field = merchant.page.get_by_test_id("invitation-link")
    link = link_field.input_value()
    assert link.startswith(f"{live.base_url}/invite/")
    expect(merchant.page.locator("[data-testid=invitation-qr] svg")).to_be_visible()
    merchant.page.get_by_role("button", name="复制").click()  # Alpine drives the copy button
    expect(merchant.page.get_by_role("button", name="已复制")).to_be_visible()
    merchant.page.screenshot(path=str(shots / "invitation-phone.png"), full_page=True)

    # The supplier opens the link, signs in right there, and accepts.
    supplier = Person(chromium, live.base_url, PHONE)
    supplier.page.goto(link)
    expect(supplier.page.get_by_test_id("invite-shop")).to_have_text(live.shop_name)
    supplier.page.screenshot(path=str(shots / "invite-anonymous-phone.png"), full_page=True)
    supplier.sign_in("supplier")
    candidate = supplier.page.get_by_test_id(f"candidate-{live.supplier_id}")
    expect(candidate.locator("input[type=radio]")).to_be_checked()
    supplier.page.screenshot(path=str(shots / "invite-signed-in-phone.png"), full_page=True)
    supplier.page.get_by_test_id("accept-submit").click()
    expect(supplier.page.get_by_test_id("invite-done")).to_contain_text(live.shop_name)
    supplier.page.screenshot(path=str(shots / "invite-done-phone.png"), full_page=True)

    # The merchant's binding list now shows the supplier.
    merchant.page.goto(f"/shops/{live.shop_id}")
    binding = merchant.page.get_by_test_id(f"binding-{live.supplier_id}")
    expect(binding).to_be_visible()
    expect(binding.get_by_test_id("binding-name")).to_have_text(live.supplier_name)
    merchant.page.set_viewport_size(DESKTOP)
    merchant.page.screenshot(path=str(shots / "shop-desktop.png"), full_page=True)

    for person in (admin, merchant, supplier):
        assert person.problems == [], person.problems
        person.close()
