"""The supplier's fulfilment console in a real headless Chromium, on a 390 px phone: the work
queue (tick all, accept), then shipping by spreadsheet: a file with one bad row is checked, the
preview shows that row's error (第N行：column，reason), the commit ships the good rows, and their
dispatch orders read as shipped in the queue, on their page and on the shop's order page.

Same set-up as the dispatch flow beside it: uvicorn on a free port, a migrated temporary SQLite
database seeded through the public API. Screenshots of every page, at desktop size and at 390 px,
go to pytest's tmp dir or DAIFA_SCREENSHOT_DIR.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from daifa.config import Settings
from tests import factories
from tests.browser.live import DESKTOP, PHONE, screenshot_dir, served
from tests.browser.live import chromium as launch_chromium
from tests.browser.test_dispatch_flow import Browser
from tests.catalog.helpers import bind, shop_product, supply_product

pytestmark = pytest.mark.browser

SF, ZTO = "SF1234567890123", "73123456789012"


@dataclass
class World:
    base_url: str
    shop_id: str
    supplier_id: str
    numbers: list[str] = field(default_factory=list)  # the supplier's dispatch orders, in order
    order_ids: list[str] = field(default_factory=list)  # their shop orders


def _seed(settings: Settings, app: Any) -> World:
    """A shop whose every order goes to one supplier (whole store), and three orders."""
    with TestClient(app) as api:
        platform = factories.admin(api)
        merchant = factories.person(api, "merchant")
        shop_id = factories.shop(api, merchant, name="小王的好物店")
        owner = factories.person(api, "supplier1")
        supplier_id = factories.supplier(api, owner, name="杭州好物供应链",
                                         approve_with=platform)
        bind(api, merchant, shop_id, owner, supplier_id)
        supply_product(api, owner, supplier_id, "S1-TEE", "S1-TEE-RED", "S1-TEE-BLUE",
                       price=1100, ship_from_region="浙江省 杭州市")
        shop_product(api, merchant, shop_id, "TEE", [
            {"sku_code": color, "price_fen": 5900, "spec": spec,
             "sources": [{"supplier_id": supplier_id, "sku_code": f"S1-{color}"}]}
            for color, spec in (("TEE-RED", "红色/M"), ("TEE-BLUE", "蓝色/M"))])
        response = api.put(f"/api/v1/shops/{shop_id}/dispatch-settings", headers=merchant.headers,
                           json={"mode": "whole_store", "default_supplier_id": supplier_id})
        assert response.status_code == 200, response.text
        world = World(settings.base_url, shop_id, supplier_id)
        for n, (name, phone) in enumerate((("张三", "13912345678"), ("李四", "13812345678"),
                                           ("欧阳娜娜", "13712345678")), start=1):
            body = {"external_id": f"372145678901234567{n}",
                    "buyer": {"name": name, "phone": phone,
                              "address": {"province": "浙江省", "city": "杭州市",
                                          "district": "西湖区", "detail": f"文三路 {n} 号"}},
                    "lines": [{"sku_code": "TEE-RED", "quantity": n, "unit_price_fen": 5900}]}
            response = api.post(f"/api/v1/shops/{shop_id}/orders", json=body,
                                headers=merchant.headers)
            assert response.status_code == 201, response.text
            order = response.json()
            world.numbers.append(order["dispatch_orders"][0]["dispatch_order_no"])
            world.order_ids.append(order["order_id"])
    return world


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served(tmp_path_factory.mktemp("shipping-upload"), _seed) as world:
        yield world


@pytest.fixture(scope="module")
def chromium(live: World) -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    return screenshot_dir(tmp_path)


def _shoot(browser: Browser, name: str) -> None:
    """Both screenshots, then back to the phone the supplier works on."""
    browser.page.set_viewport_size(DESKTOP)
    browser.shoot(name)
    browser.page.set_viewport_size(PHONE)


def _fits(page: Any) -> None:
    """Nothing sticks out sideways on the phone (tables scroll inside their own box)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def test_a_supplier_ships_by_file_on_a_phone(live: World, chromium: Any, shots: Path,
                                             tmp_path: Path) -> None:
    from playwright.sync_api import expect

    first, second, third = live.numbers
    supplier = Browser(chromium, live.base_url, shots)
    supplier.sign_in("supplier1")
    page = supplier.page
    page.set_viewport_size(PHONE)

    # The work queue: three to accept, ticked at once and accepted.
    page.goto(f"/suppliers/{live.supplier_id}")
    page.get_by_test_id("tab-work").click()
    expect(page.get_by_test_id("count-to_accept")).to_have_text("3")
    expect(page.locator("[data-testid^=row-DO]")).to_have_count(3)
    expect(page.get_by_test_id(f"row-{first}").get_by_test_id("recipient"))\
        .to_have_text("浙江省 杭州市 西湖区 · 张* · 139****5678")
    _fits(page)
    _shoot(supplier, "work-queue")
    page.get_by_test_id("pick-all").check()
    expect(page.get_by_test_id(f"pick-{third}")).to_be_checked()
    page.get_by_test_id("bulk-accept").click()
    expect(page.get_by_test_id("bulk-success")).to_contain_text("已接单 3 张代发单")
    expect(page.get_by_test_id("count-to_ship")).to_have_text("3")
    page.get_by_test_id("tab-to_ship").click()
    expect(page.locator("[data-testid^=row-DO]")).to_have_count(3)
    _fits(page)
    _shoot(supplier, "work-queue-to-ship")

    # One dispatch order as the supplier works on it.
    page.get_by_test_id(f"open-{first}").click()
    expect(page.get_by_test_id("do-status")).to_contain_text("accepted")
    expect(page.get_by_test_id("ship-form")).to_be_visible()
    _fits(page)
    _shoot(supplier, "dispatch-order-accepted")

    # The file: two good rows and one with a carrier nobody knows.
    page.goto(f"/suppliers/{live.supplier_id}/work")
    page.get_by_test_id("ship-by-file").click()
    _fits(page)
    _shoot(supplier, "ship-by-file")
    sheet = tmp_path / "发货单.csv"
    sheet.write_bytes(("代发单号,快递公司,快递单号\n"
                       f"{first},顺丰,{SF}\n"
                       f"{second},中通快递,{ZTO}\n"
                       f"{third},顺风快递,SF1234567890999\n").encode("gb18030"))
    page.get_by_test_id("upload-file").set_input_files(str(sheet))
    page.get_by_test_id("upload-preview-submit").click()
    expect(page.get_by_test_id("upload-summary"))\
        .to_have_text("可发货 2 行，已发过 0 行，有错误 1 行（共 3 行）")
    error = page.get_by_test_id("row-error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("第4行：快递公司，未知的快递公司“顺风快递”")
    expect(error).to_contain_text("UNKNOWN_CARRIER")
    expect(page.get_by_test_id("upload-row-4")).to_have_attribute("data-status", "error")
    expect(page.get_by_test_id("upload-row-2")).to_have_attribute("data-status", "ready")
    _fits(page)
    _shoot(supplier, "ship-by-file-preview")
    page.get_by_test_id("upload-commit").click()
    expect(page.get_by_test_id("upload-done")).to_be_visible()
    expect(page.get_by_test_id("count-shipped")).to_have_text("2")
    expect(page.get_by_test_id("count-error")).to_have_text("1")
    expect(page.get_by_test_id("upload-row-2")).to_have_attribute("data-status", "shipped")
    _fits(page)
    _shoot(supplier, "ship-by-file-done")

    # The good rows' dispatch orders are shipped; the bad row's still waits.
    page.get_by_test_id("upload-to-queue").click()
    expect(page.get_by_test_id("count-to_ship")).to_have_text("1")
    expect(page.locator("[data-testid^=row-DO]")).to_have_count(1)
    expect(page.get_by_test_id(f"row-{third}")).to_be_visible()
    page.goto(f"/suppliers/{live.supplier_id}/dispatch-orders/{first}")
    expect(page.get_by_test_id("do-status")).to_contain_text("shipped")
    expect(page.get_by_test_id(f"parcel-{SF}")).to_contain_text("顺丰")
    _fits(page)
    _shoot(supplier, "dispatch-order-shipped")
    page.goto(f"/suppliers/{live.supplier_id}/dispatch-orders?status=shipped")
    expect(page.locator("a[data-testid^=do-DO]")).to_have_count(2)
    assert supplier.problems == [], supplier.problems
    supplier.close()

    # The shop sees the parcel with its carrier and tracking number on the order's page.
    merchant = Browser(chromium, live.base_url, shots)
    merchant.sign_in("merchant")
    merchant.page.goto(f"/shops/{live.shop_id}/orders/{live.order_ids[1]}")
    card = merchant.page.get_by_test_id(f"do-{second}")
    expect(card).to_contain_text("shipped")
    expect(card.get_by_test_id(f"parcel-{ZTO}")).to_contain_text("中通")
    expect(card.get_by_test_id(f"cancel-{second}-disabled")).to_be_disabled()
    merchant.shoot("shop-order-shipped")
    merchant.page.goto(f"/shops/{live.shop_id}/orders/{live.order_ids[2]}")
    expect(merchant.page.get_by_test_id(f"cancel-{third}-open")).to_contain_text("申请取消")
    merchant.page.set_viewport_size(PHONE)
    _fits(merchant.page)
    merchant.page.set_viewport_size(DESKTOP)
    merchant.shoot("shop-order-accepted")
    assert merchant.problems == [], merchant.problems
    merchant.close()
