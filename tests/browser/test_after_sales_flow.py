"""After-sales in a real headless Chromium on a 390 px phone: the shop opens a
return-and-refund case with a photo, the supplier approves it with its return address, the
buyer's return parcel is entered and arrives (a tracking webhook), the supplier confirms
receipt, the case closes with the supplier liable, and the case's timeline and the order's
story show every step.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from daifa.config import Settings
from daifa.tracking import rules as tracking_rules
from daifa.webhooks import signing
from daifa.worker import Worker
from tests.aftersales.helpers import return_address, shipped
from tests.browser.live import PHONE, screenshot_dir, served
from tests.browser.live import chromium as launch_chromium
from tests.browser.test_dispatch_flow import Browser

pytestmark = pytest.mark.browser
RETURN_NO = "SF3000000000001"


@dataclass
class World:
    base_url: str
    settings: Settings
    app: Any
    shop_id: str
    order_id: str
    merchant: str
    supplier: str
    supplier_id: str


def _seed(settings: Settings, app: Any) -> World:
    with TestClient(app) as api:
        s = shipped(api, external_id="BR-1")
        return_address(api, s.first)
        return World(settings.base_url, settings, app, s.w.shop_id, s.order_id,
                     s.w.merchant.login, s.first.owner.login, s.first.supplier_id)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with served(tmp_path_factory.mktemp("after-sales-flow"), _seed) as world:
        yield world


@pytest.fixture(scope="module")
def chromium(live: World) -> Iterator[Any]:
    with launch_chromium() as browser:
        yield browser


def _phone(chromium: Any, live: World, shots: Path, login: str) -> Browser:
    person = Browser(chromium, live.base_url, shots)
    person.page.set_viewport_size(PHONE)
    person.sign_in(login)
    return person


def _shoot(person: Browser, name: str) -> None:
    person.page.screenshot(path=str(person.shots / f"{name}-phone.png"), full_page=True)


def _deliver_return(live: World) -> None:
    """The carrier's scan of the return parcel, through the signed tracking webhook."""
    settings = live.settings
    secret = tracking_rules.provider_secret("sandbox", settings.tracking_webhook_secret,
                                            settings.resolved_secret_key())
    body = json.dumps({"events": [{"carrier": "SF", "tracking_no": RETURN_NO,
                                   "status": "delivered",
                                   "occurred_at": "2026-12-01T08:00:00+00:00"}]}).encode()
    at = int(live.app.state.hub.clock.now().timestamp())
    answered = httpx.post(f"{live.base_url}/api/v1/tracking/webhooks/sandbox", content=body,
                          headers={"Daifa-Signature": signing.sign(secret, body, at),
                                   "Content-Type": "application/json"})
    assert answered.status_code == 202, answered.text
    Worker(settings=settings, db=live.app.state.hub.db).run_due_jobs()


def test_a_return_and_refund_from_the_photo_to_the_close(live: World, chromium: Any,
                                                         tmp_path: Path) -> None:
    from playwright.sync_api import expect

    shots = screenshot_dir(tmp_path)
    merchant = _phone(chromium, live, shots, live.merchant)
    page = merchant.page
    page.goto(f"/shops/{live.shop_id}/orders/{live.order_id}")
    page.get_by_test_id("open-after-sale").click()
    page.get_by_test_id("type-exchange").check()
    expect(page.get_by_test_id("exchange-sku")).to_be_visible()  # only exchanges name a SKU
    page.get_by_test_id("type-return_and_refund").check()
    expect(page.get_by_test_id("exchange-sku")).to_be_hidden()
    page.get_by_test_id("reason").select_option("damaged")
    page.get_by_test_id("quantity-TEE-RED").fill("1")
    page.get_by_test_id("note").fill("外壳裂了")
    photo = tmp_path / "crack.png"
    Image.new("RGB", (64, 48), color=(180, 30, 30)).save(photo)
    page.get_by_test_id("photo").set_input_files(str(photo))
    _shoot(merchant, "after-sales-open")
    page.get_by_test_id("open-submit").click()
    expect(page.get_by_test_id("case-status")).to_have_text("待供货商处理")
    expect(page.locator("[data-testid^=evidence-]").locator("img")).to_have_count(1)
    case_url = page.url
    _shoot(merchant, "after-sales-case-opened")

    supplier = _phone(chromium, live, shots, live.supplier)
    spage = supplier.page
    spage.goto(f"/suppliers/{live.supplier_id}/after-sales")
    expect(spage.get_by_test_id("count-to_answer")).to_have_text("1")
    spage.locator("[data-testid^=open-AS]").first.click()
    expect(spage.get_by_test_id("approve-address")).to_be_visible()
    _shoot(supplier, "after-sales-supplier-answer")
    spage.get_by_test_id("approve").click()
    expect(spage.get_by_test_id("case-status")).to_have_text("待买家退货")

    page.goto(case_url)
    expect(page.get_by_test_id("return-address")).to_contain_text("太和镇 1 号")
    page.get_by_test_id("return-carrier").fill("顺丰")
    page.get_by_test_id("return-tracking").fill(RETURN_NO.lower())
    page.get_by_test_id("return-submit").click()
    expect(page.get_by_test_id("return-parcel")).to_contain_text(RETURN_NO)

    _deliver_return(live)
    spage.goto(f"/suppliers/{live.supplier_id}/after-sales?tab=to_inspect")
    spage.locator("[data-testid^=open-AS]").first.click()
    expect(spage.get_by_test_id("return-tracking-status")).to_have_text("已签收")
    spage.get_by_test_id("receive-condition").select_option("as_expected")
    spage.get_by_test_id("receive-submit").click()
    expect(spage.get_by_test_id("case-status")).to_have_text("已完结")
    expect(spage.get_by_test_id("liability")).to_contain_text("供货商")
    _shoot(supplier, "after-sales-supplier-closed")

    page.goto(case_url)
    expect(page.get_by_test_id("liability")).to_contain_text("¥59.00")
    steps = page.get_by_test_id("case-timeline").get_by_test_id("event")
    expect(steps).to_contain_text(["发起售后", "上传凭证", "同意退货", "买家已寄回", "已收到退货",
                                   "已退款"])
    expect(steps).to_have_count(6)
    _shoot(merchant, "after-sales-case-closed")

    # The order's own story tells it too, between the shipping and the close.
    page.goto(f"/shops/{live.shop_id}/orders/{live.order_id}")
    story = page.get_by_test_id("story")
    cases = story.locator("[data-type^='after_sale.']")
    expect(cases).to_contain_text(["发起售后", "同意退货", "买家已寄回", "已收到退货", "已退款"])
    expect(story.locator("[data-type='after_sale.opened']")).to_contain_text("商家")
    expect(story.locator("[data-type='after_sale.approve_return']")).to_contain_text("供货商")
    _shoot(merchant, "after-sales-order-story")
    for person in (merchant, supplier):
        assert person.problems == [], person.problems
        person.close()
