"""The after-sales pages: words instead of codes, only the moves the reader may make, useful
empty states, and every form doing what the API does."""

from __future__ import annotations

import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from PIL import Image

from tests.aftersales.helpers import case_action, get_case, return_address, shipped
from tests.api.support import ok
from tests.web.conftest import Visitor, text_of


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), color=(200, 0, 0)).save(out, format="PNG")
    return out.getvalue()


def test_the_shop_opens_a_case_from_the_order_with_a_photo(
        client: TestClient, console_for: Callable[[str], Visitor]) -> None:
    s = shipped(client)
    shop = console_for(s.w.merchant.login)
    order_page = shop.get(f"/shops/{s.w.shop_id}/orders/{s.order_id}")
    assert 'data-testid="open-after-sale"' in order_page.text
    form_url = f"/shops/{s.w.shop_id}/orders/{s.order_id}/after-sales/new"
    form = text_of(shop.get(form_url))
    assert "仅退款" in form and "退货退款" in form and "2 件中可申请 2 件" in form
    response = shop.client.post(
        f"/shops/{s.w.shop_id}/orders/{s.order_id}/after-sales",
        data={"csrf": shop.csrf(form_url), "type": "return_and_refund", "reason": "damaged",
              "note": "外壳裂了", "refund": "", "line_id": [str(s.line("TEE-RED")),
                                                         str(s.line("MUG-1"))],
              "quantity": ["1", "0"]},
        files={"photo": ("crack.png", _png(), "image/png")})
    page = text_of(response)
    assert response.url.path.startswith("/after-sales/AS")
    assert "待供货商处理" in page and "退货退款" in page and "¥59.00" in page
    assert "发起售后" in page and "上传凭证" in page and "商家" in page
    assert "requested" not in page  # words, not codes
    no = response.url.path.rsplit("/", 1)[-1]
    [photo] = ok(get_case(client, s.w, no))["evidence"]
    assert shop.get(f"/after-sales/{no}/evidence/{photo['id']}").content == _png()
    listed = text_of(shop.get(f"/shops/{s.w.shop_id}/after-sales"))
    assert no in listed and "待供货商处理 1" in listed


def test_a_bad_form_comes_back_with_the_reason_and_nothing_opened(
        client: TestClient, console_for: Callable[[str], Visitor]) -> None:
    s = shipped(client)
    shop = console_for(s.w.merchant.login)
    form_url = f"/shops/{s.w.shop_id}/orders/{s.order_id}/after-sales/new"
    response = shop.client.post(
        f"/shops/{s.w.shop_id}/orders/{s.order_id}/after-sales",
        data={"csrf": shop.csrf(form_url), "type": "refund_only", "reason": "quality",
              "refund": "999", "line_id": [str(s.line("TEE-RED"))], "quantity": ["1"]})
    assert response.url.path == form_url
    assert "超过了买家为这些商品实付的金额" in text_of(response)
    assert ok(client.get(s.w.url("/after-sales"), headers=s.w.headers))["items"] == []


def test_the_supplier_answers_in_its_queue_with_its_return_address(
        client: TestClient, console_for: Callable[[str], Visitor]) -> None:
    s = shipped(client)
    no = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    supplier = console_for(s.first.owner.login)
    queue = text_of(supplier.get(f"/suppliers/{s.first.supplier_id}/after-sales"))
    assert no in queue and "待处理 1" in queue and "还没有退货地址" in queue
    case_page = supplier.get(f"/after-sales/{no}")
    assert 'data-testid="add-address"' in case_page.text
    assert 'data-testid="cancel-open"' not in case_page.text  # the shop's move, not its own
    addresses = f"/suppliers/{s.first.supplier_id}/return-addresses"
    saved = supplier.submit(addresses, {"name": "退货仓", "phone": "13800001111",
                                        "province": "广东省", "city": "广州市",
                                        "district": "白云区", "detail": "太和镇 1 号",
                                        "back": f"/after-sales/{no}"}, csrf_from=addresses)
    assert saved.url.path == f"/after-sales/{no}"
    approved = text_of(supplier.submit(f"/after-sales/{no}/approve", {},
                                       csrf_from=f"/after-sales/{no}"))
    assert "售后单现在为：待买家退货。" in approved and "太和镇 1 号" in approved
    assert ok(get_case(client, s.w, no))["status"] == "awaiting_return"
    assert "待退货 1" in text_of(supplier.get(f"/suppliers/{s.first.supplier_id}/after-sales"))


def test_the_admin_decides_from_the_arbitration_queue(
        client: TestClient, console_for: Callable[[str], Visitor]) -> None:
    s = shipped(client)
    return_address(client, s.first)
    no = s.opened("return_and_refund", [("TEE-RED", 1)])["case_no"]
    ok(case_action(client, s.first, no, "approve"))
    ok(case_action(client, s.first, no, "receive", {"condition": "wrong_item"}))
    ok(case_action(client, s.w, no, "escalate", {"reason": "退回的是别家的货"}))
    admin = console_for(s.w.platform.login)
    queue = text_of(admin.get("/admin/after-sales"))
    assert no in queue and "平台仲裁中" in queue
    pack = text_of(admin.get(f"/after-sales/{no}"))  # the whole evidence pack
    assert "订单全程" in pack and "收到订单" in pack and "顺丰" in pack
    assert "退回的是别家的货" in pack and "退回的不是原商品" in pack
    decided = text_of(admin.submit(f"/after-sales/{no}/decide",
                                   {"liability": "buyer", "refund": "0", "note": "买家调包"},
                                   csrf_from=f"/after-sales/{no}"))
    assert "已完结" in decided and "买家" in decided and "买家调包" in decided
    assert "没有待裁决的售后单" in text_of(admin.get("/admin/after-sales"))
    shop = console_for(s.w.merchant.login)
    assert shop.get("/admin/after-sales").status_code == 403


def test_empty_states_and_strangers(client: TestClient,
                                    console_for: Callable[[str], Visitor]) -> None:
    s = shipped(client)
    shop = console_for(s.w.merchant.login)
    assert "这里没有售后单" in text_of(shop.get(f"/shops/{s.w.shop_id}/after-sales"))
    no = s.opened("refund_only")["case_no"]
    other = shipped(client, external_id="AS-X")
    stranger = console_for(other.w.merchant.login)
    assert stranger.get(f"/after-sales/{no}").status_code == 404
    assert stranger.get(f"/shops/{s.w.shop_id}/after-sales").status_code == 404


def test_a_reship_is_marked_in_the_supplier_queue(client: TestClient,
                                                 console_for: Callable[[str], Visitor]) -> None:
    s = shipped(client)
    no = s.opened("reship", [("TEE-RED", 1)])["case_no"]
    reship = ok(case_action(client, s.first, no, "approve"))["reship_dispatch_order_no"]
    supplier = console_for(s.first.owner.login)
    queue = supplier.get(f"/suppliers/{s.first.supplier_id}/work?tab=to_ship")
    row = queue.text.split(f'data-testid="row-{reship}"', 1)[1].split("</article>", 1)[0]
    assert "售后补发" in row


def test_a_bad_answer_comes_back_next_to_its_form_and_changes_nothing(
        client: TestClient, console_for: Callable[[str], Visitor]) -> None:
    s = shipped(client)
    no = s.opened("refund_only")["case_no"]
    supplier = console_for(s.first.owner.login)
    for reason in ("bogus", ""):
        page = supplier.submit(f"/after-sales/{no}/reject", {"reason": reason},
                               csrf_from=f"/after-sales/{no}")
        assert 'data-testid="reject-form"' in page.text and "VALIDATION_FAILED" in page.text
    # A move whose form is no longer there (the case is not with the platform) still says why.
    admin = console_for(s.w.platform.login)
    page = admin.submit(f"/after-sales/{no}/decide", {"liability": "buyer", "refund": "0",
                                                      "note": "x"},
                        csrf_from=f"/after-sales/{no}")
    assert "INVALID_TRANSITION" in page.text and 'data-testid="decide-form"' not in page.text
    case = ok(get_case(client, s.w, no))
    assert (case["status"], case["reject_reason"]) == ("requested", None)


def test_a_photo_that_is_not_one_opens_nothing(client: TestClient,
                                              console_for: Callable[[str], Visitor]) -> None:
    s = shipped(client)
    shop = console_for(s.w.merchant.login)
    form_url = f"/shops/{s.w.shop_id}/orders/{s.order_id}/after-sales/new"
    response = shop.client.post(
        f"/shops/{s.w.shop_id}/orders/{s.order_id}/after-sales",
        data={"csrf": shop.csrf(form_url), "type": "refund_only", "reason": "damaged",
              "line_id": [str(s.line("TEE-RED"))], "quantity": ["1"]},
        files={"photo": ("crack.jpg", b"MZ not a photo", "image/jpeg")})
    assert response.url.path == form_url
    assert "EVIDENCE_TYPE_NOT_ALLOWED" in response.text
    assert ok(client.get(s.w.url("/after-sales"), headers=s.w.headers))["items"] == []
