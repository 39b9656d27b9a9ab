"""The console in a real headless Chromium: a shop switches to by_product, writes a SKU rule and
a product rule in the rule editor (htmx search, Alpine picker), uploads an order file, and sees
the order's lines split between two suppliers; the supplier sees it masked in its inbox.

The app runs under uvicorn on a free port against a migrated temporary SQLite database, seeded
through the public API (like the invitation flow next to it). Screenshots of every page, at
desktop size and at 390 px, go to pytest's tmp dir or DAIFA_SCREENSHOT_DIR.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from daifa.config import Settings
from tests import factories
from tests.browser.live import DESKTOP, PHONE, screenshot_dir, served
from tests.browser.live import chromium as launch_chromium
from tests.catalog.helpers import bind, shop_product, supply_product

pytestmark = pytest.mark.browser

# Paid an hour ago, in Beijing time as the file's author writes it (paid_at must be recent).
PAID_AT = (datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(hours=1)).strftime(
    "%Y-%m-%d %H:%M:%S")
ORDER_FILE = (
    "订单号,收件人,手机号,省,市,区,详细地址,SKU编码,数量,单价,付款时间\n"
    "3721456789012345678,张三,13912345678,浙江省,杭州市,西湖区,文三路 90 号,TEE-RED,2,59.00,"
    f"{PAID_AT}\n"
    "3721456789012345678,,,,,,,TEE-BLUE,1,59.00,\n"
)


@dataclass
class World:
    base_url: str
    shop_id: str
    first: str  # Supplier IDs
    second: str
    first_login: str


def _seed(settings: Settings, app: Any) -> World:
    """A merchant's shop bound to two active suppliers that both can ship its T-shirt."""
    with TestClient(app) as api:
        platform = factories.admin(api)
        merchant = factories.person(api, "merchant")
        shop_id = factories.shop(api, merchant, name="小王的好物店")
        found = []
        for index, name in enumerate(("杭州好物供应链", "义乌小商品批发"), start=1):
            owner = factories.person(api, f"supplier{index}")
            supplier_id = factories.supplier(api, owner, name=name, approve_with=platform)
            bind(api, merchant, shop_id, owner, supplier_id)
            supply_product(api, owner, supplier_id, f"S{index}-TEE", f"S{index}-TEE-RED",
                           f"S{index}-TEE-BLUE", price=1000 + 100 * index,
                           ship_from_region="浙江省 杭州市")
            found.append(supplier_id)
        shop_product(api, merchant, shop_id, "TEE", [
            {"sku_code": color, "price_fen": 5900, "spec": spec,
             "sources": [{"supplier_id": sid, "sku_code": f"S{n}-{color}"}
                         for n, sid in enumerate(found, start=1)]}
            for color, spec in (("TEE-RED", "红色/M"), ("TEE-BLUE", "蓝色/M"))])
    return World(settings.base_url, shop_id, found[0], found[1], "supplier1")


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served(tmp_path_factory.mktemp("dispatch-flow"), _seed) as world:
        yield world


@pytest.fixture(scope="module")
def chromium(live: World) -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return screenshot_dir(tmp_path)


class Browser:
    """One person's browser context, failing the test on script errors and 4xx/5xx."""

    def __init__(self, chromium: Any, base_url: str, shots: Path) -> None:
        self.context = chromium.new_context(base_url=base_url, viewport=DESKTOP, locale="zh-CN")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.shots = shots
        self.problems: list[str] = []
        self.page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        self.page.on("console", lambda m: self.problems.append(f"console: {m.text}")
                     if m.type == "error" and "Content Security Policy" in m.text else None)
        self.page.on("response", lambda r: self.problems.append(f"{r.status} {r.url}")
                     if r.status >= 400 else None)

    def sign_in(self, login: str) -> None:
        self.page.goto("/signin")
        self.page.get_by_test_id("signin-login").fill(login)
        self.page.get_by_test_id("signin-password").fill(factories.PASSWORD)
        self.page.get_by_test_id("signin-submit").click()
        self.page.wait_for_load_state()

    def shoot(self, name: str) -> None:
        """The page as it is, at desktop size and on a 390 px phone."""
        self.page.screenshot(path=str(self.shots / f"{name}-desktop.png"), full_page=True)
        self.page.set_viewport_size(PHONE)
        self.page.screenshot(path=str(self.shots / f"{name}-phone.png"), full_page=True)
        self.page.set_viewport_size(DESKTOP)

    def close(self) -> None:
        self.context.close()


def _pick_rule(page: Any, kind: str, key: str, supplier_id: str) -> None:
    """Find the SKU or product by typing, take it, add one supplier, save the rule."""
    from playwright.sync_api import expect

    page.get_by_test_id("rule-search").fill(key.split("-")[0].lower())
    page.get_by_test_id(f"use-{kind}-{key}").click()  # htmx brought the hits in
    expect(page.get_by_test_id("rule-key")).to_have_value(key)
    page.get_by_test_id("rule-pick").select_option(supplier_id)
    page.get_by_test_id("rule-add").click()
    expect(page.get_by_test_id(f"chosen-{supplier_id}")).to_be_visible()
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id(f"rule-{'sku' if kind == 'sku' else 'product'}-{key}"))\
        .to_be_visible()


def test_by_product_rules_split_an_uploaded_order_between_two_suppliers(
        live: World, chromium: Any, shots: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    merchant = Browser(chromium, live.base_url, shots)
    merchant.sign_in("merchant")
    page = merchant.page
    page.goto(f"/shops/{live.shop_id}")
    page.get_by_test_id("tab-dispatch").click()

    # The mode: by product, saved.
    page.get_by_test_id("mode-by_product").click()
    page.get_by_test_id("settings-save").click()
    expect(page.get_by_test_id("settings-success")).to_be_visible()
    expect(page.get_by_test_id("current-mode")).to_contain_text("by_product")

    # A SKU rule (blue → the second supplier) and a product rule (the rest → the first); the
    # editor's order buttons work on a chain of two before the second one is trimmed.
    _pick_rule(page, "sku", "TEE-BLUE", live.second)
    page.get_by_test_id("rule-search").fill("tee")
    page.get_by_test_id("use-product-TEE").click()
    page.get_by_test_id("rule-pick").select_option(live.second)
    page.get_by_test_id("rule-add").click()
    page.get_by_test_id("rule-pick").select_option(live.first)
    page.get_by_test_id("rule-add").click()
    page.get_by_test_id(f"up-{live.first}").click()
    chain = page.get_by_test_id("rule-chain").locator("li[data-testid^=chosen]")
    expect(chain.first).to_have_attribute("data-testid", f"chosen-{live.first}")
    page.get_by_test_id(f"remove-{live.second}").click()
    expect(chain).to_have_count(1)
    page.get_by_test_id("dryrun-submit").click()  # try it first: nothing to replay yet
    expect(page.get_by_test_id("dryrun-result")).to_be_visible()
    expect(page.get_by_test_id(f"chosen-{live.first}")).to_be_visible()  # the editor kept it
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id("rule-product-TEE")).to_contain_text(live.first)
    merchant.shoot("dispatch-settings")

    # The order file: checked first, then imported.
    page.get_by_test_id("tab-orders").click()
    merchant.shoot("orders-empty")
    page.get_by_test_id("upload-orders").click()
    order_file = tmp_path / "orders.csv"
    order_file.write_bytes(ORDER_FILE.encode("gb18030"))  # as Excel in China saves it
    page.get_by_test_id("upload-file").set_input_files(str(order_file))
    page.get_by_test_id("upload-preview-submit").click()
    expect(page.get_by_test_id("upload-summary")).to_contain_text("新订单 1 个")
    expect(page.get_by_test_id(f"routed-{live.first}")).to_be_visible()
    expect(page.get_by_test_id(f"routed-{live.second}")).to_be_visible()
    merchant.shoot("order-upload-preview")
    page.get_by_test_id("upload-commit").click()
    expect(page.get_by_test_id("upload-done")).to_be_visible()
    page.get_by_test_id("upload-to-orders").click()
    page.get_by_test_id("open-3721456789012345678").click()

    # The order: each line with its supplier and why, two dispatch orders.
    expect(page.get_by_test_id("order-status")).to_contain_text("assigned")
    red = page.get_by_test_id(f"assignment-TEE-RED-{live.first}")
    blue = page.get_by_test_id(f"assignment-TEE-BLUE-{live.second}")
    expect(red).to_contain_text("product_rule")
    expect(red.get_by_test_id("why")).to_contain_text("商品规则的首选供货商")
    expect(blue).to_contain_text("sku_rule")
    expect(blue.get_by_test_id("why")).to_contain_text("SKU 规则的首选供货商")
    expect(page.locator("[data-testid^=do-DO]")).to_have_count(2)
    merchant.shoot("order-detail")
    assert merchant.problems == [], merchant.problems
    merchant.close()

    # The first supplier's inbox: its dispatch order, the recipient masked.
    supplier = Browser(chromium, live.base_url, shots)
    supplier.sign_in(live.first_login)
    supplier.page.goto(f"/suppliers/{live.first}")
    supplier.page.get_by_test_id("tab-inbox").click()
    card = supplier.page.locator("a[data-testid^=do-DO]")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("recipient")).to_have_text("浙江省 杭州市 西湖区 · 张* · "
                                                          "139****5678")
    supplier.shoot("inbox")
    card.click()
    expect(supplier.page.get_by_test_id("do-lines")).to_contain_text("S1-TEE-RED")
    expect(supplier.page.get_by_test_id("do-total")).to_have_text("¥22.00")
    supplier.shoot("inbox-detail")
    assert supplier.problems == [], supplier.problems
    supplier.close()
