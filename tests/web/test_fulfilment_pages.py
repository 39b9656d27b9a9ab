"""The console's fulfilment pages: the supplier's work queue (tabs, bulk accept, bulk labels,
reject, holds, cancel answers, auto-accept), one dispatch order (accept, ship with per-line
quantities, shape warnings, tracking corrections, the full recipient within the daily limit, the
label), shipping by spreadsheet (template, preview, commit, the same file again), and the shop's
side on its order page (parcels, cancel, hold). Every new form refuses a missing CSRF token; other
tenants get 404; the recipient is masked everywhere except the reveal."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.orders.helpers import World, order_body, world
from tests.web.conftest import Visitor, text_of

from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.dispatch import deadlines
from daifa.fulfilment.reactions import REACTIONS
from daifa.kit.clock import FrozenClock

REVEALS_PER_DAY = 4
SF = "SF1234567890123"  # the usual SF shape
Setup = tuple[World, Visitor]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A small daily limit of recipient reveals, to reach it in a test."""
    return settings.model_copy(update={"recipient_reveals_per_day": REVEALS_PER_DAY})


@pytest.fixture
def supplier(api: TestClient, console_for: Callable[[str], Visitor]) -> Setup:
    """Two suppliers bound to a shop whose orders all go to the first (whole store); the first
    supplier's owner signed in to the console."""
    w = world(api)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    return w, console_for(w.suppliers[0].owner.login)


# --- helpers --------------------------------------------------------------------------------

def _new(w: World, external_id: str, *lines: tuple[str, int]) -> str:
    """A new order for the first supplier; its dispatch order number."""
    order = w.order(order_body(external_id, *(lines or (("TEE-RED", 2),))))
    return str(order["dispatch_orders"][0]["dispatch_order_no"])


def _api(w: World, method: str, path: str, *, who: str = "supplier",
         body: dict[str, Any] | None = None, status: int = 200) -> Any:
    headers = w.suppliers[0].owner.headers if who == "supplier" else w.headers
    response = w.client.request(method, f"/api/v1{path}", headers=headers, json=body)
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _accepted(w: World, external_id: str, *lines: tuple[str, int]) -> str:
    no = _new(w, external_id, *lines)
    _api(w, "POST", f"/dispatch-orders/{no}/accept")
    return no


def _status(w: World, no: str) -> str:
    return str(_api(w, "GET", f"/dispatch-orders/{no}")["status"])


def _do(w: World, no: str) -> dict[str, Any]:
    return _api(w, "GET", f"/dispatch-orders/{no}")  # type: ignore[no-any-return]


def _rows(text: str) -> list[str]:
    return re.findall(r'data-testid="row-(DO\d+)"', text)


def _work(w: World) -> str:
    return f"/suppliers/{w.suppliers[0].supplier_id}/work"


def _detail(w: World, no: str) -> str:
    return f"/suppliers/{w.suppliers[0].supplier_id}/dispatch-orders/{no}"


def _events(w: World, no: str) -> list[dict[str, Any]]:
    return _api(w, "GET", f"/dispatch-orders/{no}/timeline")["items"]  # type: ignore[no-any-return]


def _system(app: FastAPI) -> Callable[[Callable[[Ctx], Any]], Any]:
    def run(work: Callable[[Ctx], Any]) -> Any:
        hub = app.state.hub
        with hub.db.unit_of_work(write=True) as session:
            return work(Ctx(reactions=REACTIONS,
                            session=session, actor=Actor.system("test"), settings=hub.settings,
                            clock=hub.clock))
    return run


# --- the work queue -------------------------------------------------------------------------

def test_work_queue_tabs_count_and_list_each_group(supplier: Setup, app: FastAPI,
                                                   clock: FrozenClock) -> None:
    w, console = supplier
    late = _accepted(w, "LATE")
    clock.advance(timedelta(days=3))  # past LATE's ship-by: the sweep flags it
    assert _system(app)(deadlines.mark_late_due) == 1
    assigned = _new(w, "NEW")
    to_ship = _accepted(w, "SHIP")
    held = _accepted(w, "HELD")
    _api(w, "POST", f"/dispatch-orders/{held}/hold", body={"reason": "out_of_stock"})
    asked = _accepted(w, "ASK")
    _api(w, "POST", f"/dispatch-orders/{asked}/cancel", who="shop",
         body={"reason": "买家不要了"})

    console.sign_in(console.login)  # three idle days ended the console session
    page = console.get(_work(w))
    assert page.status_code == 200
    counts = dict(re.findall(r'data-testid="count-(\w+)">(\d+)<', page.text))
    assert counts == {"to_accept": "1", "to_ship": "2", "late": "1", "on_hold": "1",
                      "cancel_requested": "1"}
    assert _rows(page.text) == [assigned]  # to accept is the first tab
    assert 'aria-current="page" data-testid="tab-to_accept"' in page.text
    text = text_of(page)
    assert "张* · 139****5678" in text and "浙江省 杭州市 西湖区" in text
    assert "张三" not in text and "13912345678" not in text and "文三路" not in text
    assert "¥59.00" not in text  # never the shop's sale price
    assert 'data-testid="bulk-accept"' in page.text
    assert 'data-testid="bulk-labels"' not in page.text  # nothing printable on this tab

    ship_tab = console.get(_work(w) + "?tab=to_ship")
    assert _rows(ship_tab.text) == [late, to_ship]  # oldest first
    assert 'data-testid="bulk-labels"' in ship_tab.text
    assert 'data-late="1"' in ship_tab.text.split(f'row-{to_ship}')[0]  # LATE's ship-by is red
    assert 'data-late="1"' not in ship_tab.text.split(f'row-{to_ship}')[1]
    assert _rows(console.get(_work(w) + "?tab=late").text) == [late]
    hold_tab = console.get(_work(w) + "?tab=on_hold")
    assert _rows(hold_tab.text) == [held]
    assert f'data-testid="release-{held}"' in hold_tab.text
    cancel_tab = console.get(_work(w) + "?tab=cancel_requested")
    assert _rows(cancel_tab.text) == [asked]
    assert "买家不要了" in text_of(cancel_tab)
    assert f'data-testid="cancel-accept-{asked}"' in cancel_tab.text
    assert 'data-testid="tab-work"' in page.text  # the supplier's section tabs link it


def test_empty_work_queue_tabs_say_so(supplier: Setup) -> None:
    w, console = supplier
    for tab, words in (("to_accept", "没有待接的代发单"), ("to_ship", "现在没有待发货的代发单"),
                       ("late", "没有超时的代发单"), ("on_hold", "没有暂停的代发单"),
                       ("cancel_requested", "没有等待你答复的取消申请")):
        page = console.get(_work(w) + f"?tab={tab}")
        assert 'data-testid="queue-empty"' in page.text and words in text_of(page), tab
        assert 'data-testid="bulk-bar"' not in page.text
    assert 'data-testid="queue-empty"' in console.get(_work(w) + "?tab=bogus").text


def test_work_queue_pages(supplier: Setup) -> None:
    w, console = supplier
    numbers = [_new(w, f"P{n:02d}") for n in range(22)]
    first = console.get(_work(w))
    assert _rows(first.text) == numbers[:20]
    more = re.search(r'href="([^"]+cursor=\d+)"[^>]*data-testid="page-next"', first.text)
    assert more and _rows(console.get(more.group(1).replace("&amp;", "&")).text) == numbers[20:]


def test_bulk_accept_each_on_its_own(supplier: Setup, api: TestClient) -> None:
    w, console = supplier
    a, b = _new(w, "A"), _new(w, "B")
    done = _accepted(w, "C")
    w.settings("whole_store", default_supplier_id=w.suppliers[1].supplier_id)
    foreign = _new(w, "OTHER")  # the second supplier's
    page = console.submit(_work(w) + "/accept", {"pick": [a, b, done, foreign],  # type: ignore
                                                 "back": _work(w)}, csrf_from=_work(w))
    assert page.status_code == 200
    text = text_of(page)
    assert "已接单 2 张代发单" in text
    assert 'data-testid="bulk-code">INVALID_TRANSITION<' in page.text  # C was accepted before
    assert 'data-testid="bulk-code">DISPATCH_ORDER_NOT_FOUND<' in page.text
    assert f"代发单 {foreign} 未能接单" in text
    assert [_status(w, no) for no in (a, b, done)] == ["accepted"] * 3
    shop_view = _api(w, "GET", f"/dispatch-orders/{foreign}", who="shop")
    assert shop_view["status"] == "assigned"  # another supplier's: untouched
    nothing = console.submit(_work(w) + "/accept", {"back": _work(w)}, csrf_from=_work(w))
    assert 'data-testid="bulk-code">VALIDATION_FAILED<' in nothing.text


def test_bulk_labels_are_one_pdf_and_recorded_reveals(supplier: Setup) -> None:
    w, console = supplier
    first, second = _accepted(w, "L1"), _accepted(w, "L2")
    assigned = _new(w, "L3")
    response = console.submit(_work(w) + "/labels", {"pick": [first, second]},  # type: ignore
                              csrf_from=_work(w))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and response.content.count(b"/Type /Page\n") >= 2
    assert response.headers["cache-control"] == "no-store"
    for no in (first, second):
        reveals = [e for e in _events(w, no) if e["type"] == "dispatch_order.recipient_revealed"]
        assert [e["reason"] for e in reveals] == ["label"]
    refused = console.submit(_work(w) + "/labels", {"pick": [first, assigned],  # type: ignore
                                                    "back": _work(w) + "?tab=to_ship"},
                             csrf_from=_work(w))
    assert refused.status_code == 200 and refused.url.path.endswith("/work")
    assert 'data-testid="bulk-code">RECIPIENT_NOT_AVAILABLE<' in refused.text
    assert len([e for e in _events(w, first)
                if e["type"] == "dispatch_order.recipient_revealed"]) == 1  # nothing recorded


def test_reject_with_a_reason_from_the_queue(supplier: Setup) -> None:
    w, console = supplier
    no = _new(w, "R1")
    page = console.get(_work(w))
    assert f'data-testid="reject-{no}-reason"' in page.text
    for reason in ("out_of_stock", "cannot_ship_region", "price_changed", "other"):
        assert f'<option value="{reason}">' in page.text
    assert '<option value="acceptance_timeout">' not in page.text
    bad = console.submit(_detail(w, no) + "/reject", {"reason": "bogus"}, csrf_from=_work(w))
    assert 'data-testid="decide-code">VALIDATION_FAILED<' in bad.text
    assert _status(w, no) == "assigned"
    done = console.submit(_detail(w, no) + "/reject",
                          {"reason": "cannot_ship_region", "note": "不发新疆"}, csrf_from=_work(w))
    assert done.status_code == 200 and 'data-testid="decide-success"' in done.text
    assert _status(w, no) == "rejected"
    text = text_of(done)
    assert "无法发往该地区" in text and "cannot_ship_region" in text
    again = console.submit(_detail(w, no) + "/reject", {"reason": "other"}, csrf_from=_work(w))
    assert 'data-testid="decide-code">INVALID_TRANSITION<' in again.text
    # the second supplier (a backup through the store default?) no: units went back to the shop
    order = _api(w, "GET", f"/shops/{w.shop_id}/orders/{_do(w, no)['order_id']}", who="shop")
    assert order["unassigned_lines"]


def test_auto_accept_toggle(supplier: Setup) -> None:
    w, console = supplier
    page = console.get(_work(w))
    assert 'data-testid="auto-accept-state">关<' in page.text
    on = console.submit(f"/suppliers/{w.suppliers[0].supplier_id}/settings/auto-accept",
                        {"on": "1", "back": _work(w)}, csrf_from=_work(w))
    assert 'data-testid="auto-accept-state">开<' in on.text
    assert "自动接单已开启" in text_of(on)
    assert _api(w, "GET", f"/suppliers/{w.suppliers[0].supplier_id}/settings")["auto_accept"]
    assert _status(w, _new(w, "AUTO")) == "accepted"
    off = console.submit(f"/suppliers/{w.suppliers[0].supplier_id}/settings/auto-accept",
                         {"on": "", "back": "https://evil.example/"}, csrf_from=_work(w))
    assert off.url.path == _work(w)  # only local paths to go back to
    assert 'data-testid="auto-accept-state">关<' in off.text
    assert _status(w, _new(w, "MANUAL")) == "assigned"


# --- one dispatch order ---------------------------------------------------------------------

def test_accept_then_ship_in_two_parcels_and_correct_a_tracking_number(supplier: Setup) -> None:
    w, console = supplier
    no = _new(w, "S1", ("TEE-RED", 2), ("MUG-1", 1))
    red, mug = w.suppliers[0].code("TEE-RED"), w.suppliers[0].code("MUG-1")
    page = console.get(_detail(w, no))
    assert 'data-testid="accept"' in page.text and 'data-testid="ship-form"' not in page.text
    accepted = console.submit(_detail(w, no) + "/accept", csrf_from=_detail(w, no))
    assert "已接单，请在最晚发货时间前发货" in text_of(accepted)
    assert 'data-testid="ship-form"' in accepted.text
    for carrier in ("顺丰 SF", "中通 ZTO", "极兔 JTSD"):
        assert carrier in accepted.text  # Chinese names with codes
    lines = {d["supplier_sku_code"]: d["line_id"] for d in _do(w, no)["lines"]}

    # one red T-shirt in a parcel whose number does not look like SF's: a warning, not an error
    first = console.submit(_detail(w, no) + "/ship", {
        "carrier": "SF", "tracking_no": " ab 123456 ", "line_id": [str(lines[red]),  # type: ignore
                                                                  str(lines[mug])],
        "quantity": ["1", "0"]}, csrf_from=_detail(w, no))
    assert 'data-testid="ship-success"' in first.text
    assert 'data-testid="ship-warning"' in first.text
    assert "AB123456 看起来不像顺丰（SF）的快递单号" in text_of(first)
    assert _status(w, no) == "partially_shipped"
    assert f'data-testid="shipped-{red}">1<' in first.text
    assert f'data-testid="ship-qty-{red}"' in first.text and 'max="1"' in first.text

    # the rest: an unknown carrier, too many units, then right
    unknown = console.submit(_detail(w, no) + "/ship", {
        "carrier": "顺风", "tracking_no": SF, "line_id": [str(lines[red])], "quantity": ["1"]},
        csrf_from=_detail(w, no))
    assert 'data-testid="ship-code">UNKNOWN_CARRIER<' in unknown.text
    assert f'value="{SF}"' in unknown.text  # what was typed comes back
    too_many = console.submit(_detail(w, no) + "/ship", {
        "carrier": "SF", "tracking_no": SF, "line_id": [str(lines[red])], "quantity": ["2"]},
        csrf_from=_detail(w, no))
    assert 'data-testid="ship-code">QUANTITY_EXCEEDS_REMAINING<' in too_many.text
    zero = console.submit(_detail(w, no) + "/ship", {
        "carrier": "SF", "tracking_no": SF, "line_id": [str(lines[red])], "quantity": ["0"]},
        csrf_from=_detail(w, no))
    assert 'data-testid="ship-code">VALIDATION_FAILED<' in zero.text
    rest = console.submit(_detail(w, no) + "/ship", {
        "carrier": "中通快递", "tracking_no": "73123456789012",
        "line_id": [str(lines[red]), str(lines[mug])], "quantity": ["1", "1"]},
        csrf_from=_detail(w, no))
    assert 'data-testid="ship-success"' in rest.text
    assert 'data-testid="ship-warning"' not in rest.text
    assert _status(w, no) == "shipped"
    assert 'data-testid="parcel-AB123456"' in rest.text
    assert 'data-testid="parcel-73123456789012"' in rest.text
    assert f'href="/dispatch-orders/{no}/tracking"' in rest.text

    parcel = next(s for s in _do(w, no)["shipments"] if s["tracking_no"] == "AB123456")
    path = _detail(w, no) + f"/shipments/{parcel['shipment_id']}/correct"
    fixed = console.submit(path, {"carrier": "SF", "tracking_no": SF, "reason": "抄错了"},
                           csrf_from=_detail(w, no))
    assert f'data-testid="correct-{parcel["shipment_id"]}-success"' in fixed.text
    assert f'data-testid="parcel-{SF}"' in fixed.text
    corrected = [e for e in _events(w, no) if e["type"] == "dispatch_order.tracking_corrected"]
    assert corrected and corrected[0]["reason"] == "抄错了"
    assert corrected[0]["data"]["old"]["tracking_no"] == "AB123456"
    taken = console.submit(path, {"carrier": "ZTO", "tracking_no": "73123456789012",
                                  "reason": "x"}, csrf_from=_detail(w, no))
    assert f'data-testid="correct-{parcel["shipment_id"]}-code">TRACKING_NO_IN_USE<' in taken.text
    missing = console.submit(_detail(w, no) + "/shipments/999999/correct",
                             {"tracking_no": SF}, csrf_from=_detail(w, no))
    assert 'data-testid="parcels-code">SHIPMENT_NOT_FOUND<' in missing.text


def test_holds_from_the_dispatch_order_page(supplier: Setup) -> None:
    w, console = supplier
    no = _accepted(w, "H1")
    held = console.submit(_detail(w, no) + "/hold", {"reason": "address_problem",
                                                     "note": "门牌号不全"},
                          csrf_from=_detail(w, no))
    assert 'data-testid="hold-success"' in held.text
    assert 'data-testid="ship-held"' in held.text and 'data-testid="ship-form"' not in held.text
    assert "地址有问题" in text_of(held)
    assert _do(w, no)["hold_reason"] == "address_problem"
    twice = console.submit(_detail(w, no) + "/hold", {"reason": "other"}, csrf_from=_detail(w, no))
    assert 'data-testid="hold-code">DISPATCH_ORDER_ON_HOLD<' in twice.text
    shipped = console.submit(_detail(w, no) + "/ship", {"carrier": "SF", "tracking_no": SF,
                                                        "line_id": ["1"], "quantity": ["1"]},
                             csrf_from=_detail(w, no))
    assert 'data-testid="ship-code">' in shipped.text  # refused while held
    assert _status(w, no) == "accepted"
    released = console.submit(_detail(w, no) + "/release", {"note": "买家补全了"},
                              csrf_from=_detail(w, no))
    assert 'data-testid="hold-success"' in released.text and _do(w, no)["hold_reason"] is None
    again = console.submit(_detail(w, no) + "/release", csrf_from=_detail(w, no))
    assert 'data-testid="hold-code">NOT_ON_HOLD<' in again.text
    # a hold the shop placed is the shop's to release
    _api(w, "POST", f"/dispatch-orders/{no}/hold", who="shop",
         body={"reason": "awaiting_payment"})
    shops_hold = console.get(_detail(w, no))
    assert "只有小店可以解除" in text_of(shops_hold)
    refused = console.submit(_detail(w, no) + "/release", csrf_from=_detail(w, no))
    assert 'data-testid="hold-code">HOLD_PLACED_BY_SHOP<' in refused.text


def test_answering_a_cancel_request(supplier: Setup) -> None:
    w, console = supplier
    no = _accepted(w, "C1")
    _api(w, "POST", f"/dispatch-orders/{no}/cancel", who="shop", body={"reason": "买家取消"})
    page = console.get(_detail(w, no))
    assert 'data-testid="cancel-request"' in page.text and "买家取消" in text_of(page)
    refused = console.submit(_detail(w, no) + "/cancel/refuse", {"note": "已经打包"},
                             csrf_from=_detail(w, no))
    assert 'data-testid="decide-success"' in refused.text and _status(w, no) == "accepted"
    stale = console.submit(_detail(w, no) + "/cancel/accept", csrf_from=_detail(w, no))
    assert 'data-testid="decide-code">INVALID_TRANSITION<' in stale.text
    _api(w, "POST", f"/dispatch-orders/{no}/cancel", who="shop", body={"reason": "还是取消"})
    agreed = console.submit(_detail(w, no) + "/cancel/accept", csrf_from=_detail(w, no))
    assert 'data-testid="decide-success"' in agreed.text and _status(w, no) == "cancelled"


def test_full_recipient_only_when_asked_recorded_and_limited(supplier: Setup) -> None:
    w, console = supplier
    assigned = _new(w, "V0")
    page = console.get(_detail(w, assigned))
    assert 'data-testid="reveal-form"' not in page.text and "张三" not in page.text
    refused = console.submit(_detail(w, assigned) + "/recipient", {"purpose": "label"},
                             csrf_from=_detail(w, assigned))
    assert 'data-testid="recipient-code">RECIPIENT_NOT_AVAILABLE<' in refused.text
    assert "张三" not in refused.text

    no = _accepted(w, "V1")
    page = console.get(_detail(w, no))
    assert 'data-testid="reveal-form"' in page.text
    assert "张三" not in page.text and "13912345678" not in page.text
    shown = console.submit(_detail(w, no) + "/recipient", {"purpose": "contact"},
                           csrf_from=_detail(w, no))
    assert shown.status_code == 200
    assert 'data-testid="full-name">张三<' in shown.text
    assert 'data-testid="full-phone">13912345678<' in shown.text
    assert "文三路 90 号" in shown.text and "联系买家" in text_of(shown)
    assert shown.headers["cache-control"] == "no-store"
    assert "daifa_flash" not in shown.headers.get("set-cookie", "")  # never carried in a cookie
    reveals = [e for e in _events(w, no) if e["type"] == "dispatch_order.recipient_revealed"]
    assert [e["reason"] for e in reveals] == ["contact"]
    again = console.get(_detail(w, no))  # the next page is masked again
    assert "张三" not in again.text and "张* · 139****5678" in text_of(again)
    assert "张三" not in console.get(_work(w) + "?tab=to_ship").text
    assert "张三" not in console.get(f"/suppliers/{w.suppliers[0].supplier_id}"
                                   "/dispatch-orders").text
    bogus = console.submit(_detail(w, no) + "/recipient", {"purpose": "curious"},
                           csrf_from=_detail(w, no))
    assert 'data-testid="recipient-code">VALIDATION_FAILED<' in bogus.text

    for _ in range(REVEALS_PER_DAY - 1):  # up to today's limit
        assert console.submit(_detail(w, no) + "/recipient", {"purpose": "label"},
                              csrf_from=_detail(w, no)).status_code == 200
    limited = console.submit(_detail(w, no) + "/recipient", {"purpose": "label"},
                             csrf_from=_detail(w, no))
    assert limited.status_code == 429
    assert 'data-testid="recipient-code">RECIPIENT_REVEAL_LIMIT<' in limited.text
    assert f"今天查看完整收件人信息的次数已达上限（{REVEALS_PER_DAY} 次）" in text_of(limited)
    assert "张三" not in limited.text and 'data-testid="do-heading"' in limited.text


def test_label_pdf_of_one_dispatch_order(supplier: Setup) -> None:
    w, console = supplier
    no = _accepted(w, "P1")
    page = console.get(_detail(w, no))
    assert 'data-testid="label-pdf-form"' in page.text and 'target="_blank"' in page.text
    pdf = console.submit(_detail(w, no) + "/label.pdf", csrf_from=_detail(w, no))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert [e["reason"] for e in _events(w, no)
            if e["type"] == "dispatch_order.recipient_revealed"] == ["label"]
    assigned = _new(w, "P2")
    refused = console.submit(_detail(w, assigned) + "/label.pdf", csrf_from=_detail(w, no))
    assert refused.headers["content-type"].startswith("text/html")
    assert 'data-testid="label-code">RECIPIENT_NOT_AVAILABLE<' in refused.text


# --- shipping by spreadsheet ----------------------------------------------------------------

def _csv(*rows: str) -> bytes:
    return ("\ufeff代发单号,快递公司,快递单号,SKU编码,数量\n" + "\n".join(rows) + "\n").encode()


def _upload_url(w: World) -> str:
    return f"/suppliers/{w.suppliers[0].supplier_id}/shipments/upload"


def _preview(console: Visitor, w: World, content: bytes, name: str = "发货.csv") -> Any:
    return console.client.post(_upload_url(w), data={"csrf": console.csrf(_upload_url(w))},
                               files={"file": (name, content, "text/csv")})


def _carried(page: Any) -> dict[str, Any]:
    return {"content": re.findall(r'name="content" value="([^"]*)"', page.text),
            "filename": re.search(r'name="filename" value="([^"]*)"', page.text).group(1)}


def test_templates_download(supplier: Setup) -> None:
    w, console = supplier
    page = console.get(_upload_url(w))
    assert page.status_code == 200 and 'data-testid="template-xlsx"' in page.text
    csv = console.get(_upload_url(w) + "/template?format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith("\ufeff代发单号,快递公司,快递单号".encode())
    xlsx = console.get(_upload_url(w) + "/template?format=xlsx&lang=en")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["dispatch_order_no", "carrier", "tracking_no",
                                           "sku_code", "quantity"]


def test_upload_preview_commit_and_the_same_file_again(supplier: Setup) -> None:
    w, console = supplier
    first, second = _accepted(w, "U1"), _accepted(w, "U2", ("TEE-RED", 3))
    red = w.suppliers[0].code("TEE-RED")
    content = _csv(f"{first},顺丰,{SF},,",
                   "DO000000000000,中通,73123456789012,,",  # row 3: no such dispatch order
                   f"{second},ZTO,73123456789013,{red},2",
                   f"{second},韵达,4123456789012,{red},1")  # a warning: not Yunda's shape
    preview = _preview(console, w, content)
    assert preview.status_code == 200
    text = text_of(preview)
    assert "可发货 3 行，已发过 0 行，有错误 1 行（共 4 行）" in text
    assert "第3行：代发单号，你没有这个单号的代发单 DISPATCH_ORDER_NOT_FOUND" in text
    assert 'data-testid="upload-row-3" data-status="error"' in preview.text
    assert 'data-testid="upload-row-2" data-status="ready"' in preview.text
    assert "4123456789012 看起来不像韵达（YUNDA）的快递单号" in text
    assert _status(w, first) == "accepted"  # nothing shipped by the preview
    carried = _carried(preview)
    done = console.submit(_upload_url(w) + "/commit", carried, csrf_from=_upload_url(w))
    assert 'data-testid="upload-done"' in done.text
    assert re.search(r'data-testid="count-shipped">3<', done.text)
    assert re.search(r'data-testid="count-error">1<', done.text)
    assert _status(w, first) == "shipped" and _status(w, second) == "shipped"
    assert len(_do(w, second)["shipments"]) == 2

    again = console.submit(_upload_url(w) + "/commit", carried, csrf_from=_upload_url(w))
    assert re.search(r'data-testid="count-shipped">0<', again.text)
    assert re.search(r'data-testid="count-already">3<', again.text)
    assert 'data-testid="upload-row-2" data-status="already_shipped"' in again.text
    assert "已发过" in text_of(again)
    assert len(_do(w, second)["shipments"]) == 2  # nothing twice
    preview_again = _preview(console, w, content)
    assert 'data-testid="upload-nothing"' in preview_again.text


def test_upload_whole_file_errors(supplier: Setup) -> None:
    w, console = supplier
    header = _preview(console, w, "订单号,备注\nX,Y\n".encode())
    assert 'data-testid="upload-code">SHEET_HEADER_INVALID<' in header.text
    xls = _preview(console, w, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls")
    assert 'data-testid="upload-code">UNREADABLE_FILE<' in xls.text
    empty = _preview(console, w, "代发单号,快递公司,快递单号\n".encode())
    assert 'data-testid="upload-code">SHEET_EMPTY<' in empty.text
    broken = console.submit(_upload_url(w) + "/commit", {"content": "!!", "filename": "x.csv"},
                            csrf_from=_upload_url(w))
    assert 'data-testid="upload-code">UNREADABLE_FILE<' in broken.text


# --- the shop's side ------------------------------------------------------------------------

def _order_page(w: World, no: str) -> str:
    return f"/shops/{w.shop_id}/orders/{_do(w, no)['order_id']}"


def test_shop_sees_parcels_and_cancels_or_holds(supplier: Setup,
                                                console_for: Callable[[str], Visitor]) -> None:
    w, _ = supplier
    merchant = console_for(w.merchant.login)
    assigned, accepted, shipped = _new(w, "M1"), _accepted(w, "M2"), _accepted(w, "M3")
    _api(w, "POST", f"/dispatch-orders/{shipped}/ship",
         body={"carrier": "SF", "tracking_no": SF})

    page = merchant.get(_order_page(w, shipped))
    assert f'data-testid="parcel-{SF}"' in page.text and "顺丰" in text_of(page)
    assert f'href="/dispatch-orders/{shipped}/tracking"' in page.text
    assert f'data-testid="cancel-{shipped}-disabled"' in page.text
    assert "已有商品发出，不能再取消" in text_of(page)
    assert f"/dispatch-orders/{shipped}/hold" not in page.text

    base = f"/shops/{w.shop_id}/dispatch-orders"
    order_page = _order_page(w, assigned)
    assert f'data-testid="cancel-{assigned}-open"' in merchant.get(order_page).text
    no_reason = merchant.submit(f"{base}/{assigned}/cancel", {"reason": ""},
                                csrf_from=order_page)
    assert f'data-testid="do-{assigned}-code">VALIDATION_FAILED<' in no_reason.text
    cancelled = merchant.submit(f"{base}/{assigned}/cancel", {"reason": "买家取消"},
                                csrf_from=order_page)
    assert f'data-testid="do-{assigned}-success"' in cancelled.text
    assert _status(w, assigned) == "cancelled"

    order_page = _order_page(w, accepted)
    assert "申请取消" in text_of(merchant.get(order_page))
    asked = merchant.submit(f"{base}/{accepted}/cancel", {"reason": "地址写错了"},
                            csrf_from=order_page)
    assert _status(w, accepted) == "cancel_requested"
    assert f'data-testid="cancel-pending-{accepted}"' in asked.text
    twice = merchant.submit(f"{base}/{accepted}/cancel", {"reason": "再来"}, csrf_from=order_page)
    assert f'data-testid="do-{accepted}-code">INVALID_TRANSITION<' in twice.text

    other = _accepted(w, "M4")
    order_page = _order_page(w, other)
    held = merchant.submit(f"{base}/{other}/hold", {"reason": "awaiting_payment"},
                           csrf_from=order_page)
    assert f'data-testid="do-{other}-success"' in held.text
    assert _do(w, other)["held_by"] == "shop" and 'data-testid="hold-badge"' in held.text
    released = merchant.submit(f"{base}/{other}/release", csrf_from=order_page)
    assert f'data-testid="do-{other}-success"' in released.text
    assert _do(w, other)["hold_reason"] is None
    again = merchant.submit(f"{base}/{other}/release", csrf_from=order_page)
    assert f'data-testid="do-{other}-code">NOT_ON_HOLD<' in again.text


# --- CSRF and tenancy -----------------------------------------------------------------------

def _supplier_posts(w: World, no: str, shipment_id: int = 1) -> dict[str, dict[str, str]]:
    sid = w.suppliers[0].supplier_id
    d = f"/suppliers/{sid}/dispatch-orders/{no}"
    return {
        f"/suppliers/{sid}/work/accept": {"pick": no},
        f"/suppliers/{sid}/work/labels": {"pick": no},
        f"/suppliers/{sid}/settings/auto-accept": {"on": "1"},
        f"{d}/accept": {}, f"{d}/reject": {"reason": "other"},
        f"{d}/ship": {"carrier": "SF", "tracking_no": SF},
        f"{d}/shipments/{shipment_id}/correct": {"tracking_no": SF},
        f"{d}/hold": {"reason": "other"}, f"{d}/release": {},
        f"{d}/cancel/accept": {}, f"{d}/cancel/refuse": {},
        f"{d}/recipient": {"purpose": "label"}, f"{d}/label.pdf": {},
        f"/suppliers/{sid}/shipments/upload/commit": {"content": "", "filename": "x.csv"},
    }


def _shop_posts(w: World, no: str) -> dict[str, dict[str, str]]:
    base = f"/shops/{w.shop_id}/dispatch-orders/{no}"
    return {f"{base}/cancel": {"reason": "x"}, f"{base}/hold": {"reason": "other"},
            f"{base}/release": {}}


def test_every_new_form_needs_its_csrf_token(supplier: Setup,
                                             console_for: Callable[[str], Visitor]) -> None:
    w, console = supplier
    no = _new(w, "X1")
    merchant = console_for(w.merchant.login)
    for who, posts in ((console, _supplier_posts(w, no)), (merchant, _shop_posts(w, no))):
        for url, data in posts.items():
            for token in ("", "forged"):
                response = who.client.post(url, data={**data, "csrf": token})
                assert response.status_code == 403, url
                assert 'data-testid="error-code">CSRF_FAILED<' in response.text, url
    upload = console.client.post(_upload_url(w), files={"file": ("a.csv", _csv(), "text/csv")})
    assert upload.status_code == 403
    assert _status(w, no) == "assigned"
    assert _api(w, "GET", f"/suppliers/{w.suppliers[0].supplier_id}/settings")[
        "auto_accept"] is False


def test_other_tenants_get_404(supplier: Setup, console_for: Callable[[str], Visitor],
                               person: Callable[[], Visitor]) -> None:
    w, console = supplier
    s1, s2 = w.suppliers
    no = _accepted(w, "T1")
    _api(w, "POST", f"/dispatch-orders/{no}/ship",
         body={"carrier": "SF", "tracking_no": SF, "lines": [
             {"line_id": _do(w, no)["lines"][0]["line_id"], "quantity": 1}]})
    shipment_id = _do(w, no)["shipments"][0]["shipment_id"]
    stranger, other = person(), console_for(s2.owner.login)
    merchant = console_for(w.merchant.login)
    base = f"/suppliers/{s1.supplier_id}"
    gets = [f"{base}/work", f"{base}/dispatch-orders/{no}", f"{base}/shipments/upload",
            f"{base}/shipments/upload/template"]
    for who in (stranger, other, merchant):
        for path in gets:
            response = who.get(path)
            assert response.status_code == 404, path
            assert 'data-testid="error-code">SUPPLIER_NOT_FOUND<' in response.text
        for url, data in _supplier_posts(w, no, shipment_id).items():
            response = who.submit(url, data)
            assert response.status_code == 404, url
            assert 'data-testid="error-code">SUPPLIER_NOT_FOUND<' in response.text, url
    # the second supplier under its own URL, with the first one's number: like a missing one
    mine = f"/suppliers/{s2.supplier_id}/dispatch-orders/{no}"
    assert other.get(mine).status_code == 404
    for action in ("/accept", "/ship", "/hold", "/release", "/recipient", "/label.pdf",
                   "/cancel/accept", f"/shipments/{shipment_id}/correct"):
        response = other.submit(mine + action, {"reason": "other", "carrier": "SF",
                                                "tracking_no": SF, "purpose": "label"})
        assert response.status_code == 404, action
        assert 'data-testid="error-code">DISPATCH_ORDER_NOT_FOUND<' in response.text, action
    labels = other.submit(f"/suppliers/{s2.supplier_id}/work/labels", {"pick": no})
    assert 'data-testid="bulk-code">DISPATCH_ORDER_NOT_FOUND<' in labels.text
    assert "张三" not in labels.text
    # another merchant's console, and the right shop's URL with a number of another shop
    for url, data in _shop_posts(w, no).items():
        response = stranger.submit(url, data)
        assert response.status_code == 404 and "SHOP_NOT_FOUND" in response.text, url
    assert _status(w, no) == "partially_shipped" and _do(w, no)["hold_reason"] is None
    assert merchant.get(f"/shops/{w.shop_id}/orders/{_do(w, no)['order_id']}").status_code == 200
    assert console.get(f"/suppliers/{s1.supplier_id}/dispatch-orders/{no}").status_code == 200
