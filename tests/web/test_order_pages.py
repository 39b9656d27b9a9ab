"""Order pages: the filtered list and the unassigned queue (bulk assignment), one order with
every line's reason in words, manual assignment with splits, reassignment, file upload."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from tests import factories
from tests.orders.helpers import World, order_body, world
from tests.web.conftest import Visitor, text_of

Setup = tuple[World, Visitor]


@pytest.fixture
def shop(api: TestClient, console_for: Callable[[str], Visitor]) -> Setup:
    """A shop bound to two suppliers that can ship every SKU; the merchant's console."""
    w = world(api)
    return w, console_for(w.merchant.login)


def _order(w: World, order_id: str) -> dict[str, Any]:
    response = w.client.get(w.url(f"/orders/{order_id}"), headers=w.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _ids(page: httpx.Response) -> list[str]:
    return re.findall(r'class="order-card" data-testid="order-([^"]+)"', page.text)


def test_no_orders_yet(shop: Setup) -> None:
    w, console = shop
    page = console.get(f"/shops/{w.shop_id}/orders")
    assert 'data-testid="no-orders"' in page.text
    queue = console.get(f"/shops/{w.shop_id}/orders?unassigned=1")
    assert 'data-testid="queue-empty"' in queue.text


def test_filters_and_paging(shop: Setup) -> None:
    w, console = shop
    first = w.suppliers[0].supplier_id
    for n in range(23):
        w.order(order_body(f"M{n:02d}"))  # manual mode: they wait
    w.settings("whole_store", default_supplier_id=first)
    w.order(order_body("W00"))
    base = f"/shops/{w.shop_id}/orders"
    page = console.get(base)
    assert _ids(page)[:2] == ["W00", "M22"] and len(_ids(page)) == 20
    more = re.search(r'href="([^"]+cursor=\d+)"[^>]*data-testid="page-next"', page.text)
    assert more
    assert _ids(console.get(more.group(1).replace("&amp;", "&"))) == \
        [f"M{n:02d}" for n in range(3, -1, -1)]
    assert _ids(console.get(f"{base}?status=assigned")) == ["W00"]
    assert _ids(console.get(f"{base}?supplier_id={first}")) == ["W00"]
    waiting = console.get(f"{base}?unassigned=1")
    assert "W00" not in _ids(waiting) and len(_ids(waiting)) == 20
    # the test clock stands at 2026-11-25 10:00 in Shanghai
    assert len(_ids(console.get(f"{base}?date_from=2026-11-25&date_to=2026-11-25"))) == 20
    empty = console.get(f"{base}?date_to=2026-11-24")
    assert _ids(empty) == [] and "没有符合筛选条件的订单" in text_of(empty)
    bad = console.get(f"{base}?date_from=yesterday")
    assert 'data-testid="filters-code">VALIDATION_FAILED<' in bad.text


def test_every_line_says_why_it_went_where(shop: Setup) -> None:
    w, console = shop
    s1, s2 = w.suppliers
    w.settings("by_product")
    w.rule("skus", "TEE-RED", s1, s2)
    w.rule("products", "MUG", s2)
    factories.review(w.client, w.platform, s1.supplier_id, "suspend")
    order = w.order(order_body("R1", ("TEE-RED", 1), ("MUG-1", 2), ("TEE-BLUE", 1),
                               ("GHOST", 1)))
    page = console.get(f"/shops/{w.shop_id}/orders/{order['order_id']}")
    assert page.status_code == 200
    text = text_of(page)
    tee = text.split("TEE-RED ×1", 1)[1].split("MUG-1 ×2", 1)[0]
    assert "backup" in tee and "跳过了" in tee and "已暂停" in tee and s1.supplier_id in tee
    mug = text.split("MUG-1 ×2", 1)[1].split("TEE-BLUE ×1", 1)[0]
    assert "product_rule" in mug and "商品规则的首选供货商" in mug
    blue = text.split("TEE-BLUE ×1", 1)[1]
    assert "NO_RULE" in blue and "等待手动分配" in blue
    assert "UNKNOWN_SKU" in text and "小店没有这个 SKU 编码" in text
    assert 'data-testid="story"' in page.text and "商家 收到订单" in text
    assert "¥59.00" in text  # the shop sees its own sale prices
    assert 'data-testid="assign-line-GHOST"' in page.text  # waiting lines get the form


def test_assigning_by_hand_with_a_split(shop: Setup) -> None:
    w, console = shop
    s1, s2 = w.suppliers
    order = w.order(order_body("S1", ("TEE-RED", 3)))
    line_id = str(order["lines"][0]["line_id"])
    url = f"/shops/{w.shop_id}/orders/{order['order_id']}/assign"
    too_many = console.submit(url, {"line_id": [line_id, line_id],
                                    "supplier_id": [s1.supplier_id, s2.supplier_id],
                                    "quantity": ["3", "1"]})
    assert 'data-testid="assign-code">QUANTITY_EXCEEDS_REMAINING<' in too_many.text
    nothing = console.submit(url, {"line_id": line_id, "supplier_id": "", "quantity": "3"})
    assert 'data-testid="assign-code">VALIDATION_FAILED<' in nothing.text
    page = console.submit(url, {"line_id": [line_id, line_id, line_id],
                                "supplier_id": [s1.supplier_id, s2.supplier_id, ""],
                                "quantity": ["2", "1", "0"]})
    assert page.url.fragment == "lines"
    assert 'data-testid="assign-success"' in page.text
    after = _order(w, order["order_id"])
    assert after["status"] == "assigned"
    split = sorted((a["supplier_id"], a["quantity"], a["reason"])
                   for a in after["lines"][0]["assignments"])
    assert split == sorted([(s1.supplier_id, 2, "manual"), (s2.supplier_id, 1, "manual")])
    assert 'data-testid="assign"' not in page.text  # nothing waits any more
    assert text_of(page).count("手动分配。") >= 2


def test_bulk_assignment_from_the_queue(shop: Setup) -> None:
    w, console = shop
    s1 = w.suppliers[0]
    a = w.order(order_body("B1", ("TEE-RED", 1), ("MUG-1", 2)))
    b = w.order(order_body("B2", ("TEE-BLUE", 1)))
    queue = console.get(f"/shops/{w.shop_id}/orders?unassigned=1")
    picks = re.findall(r'name="pick" value="([^"]+)"', queue.text)
    assert len(picks) == 3 and 'data-testid="bulk-form"' in queue.text
    stale = f"{b['order_id']}:{b['lines'][0]['line_id']}:5"  # more than waits
    page = console.submit(f"/shops/{w.shop_id}/bulk-assign", {
        "supplier_id": s1.supplier_id, "back": f"/shops/{w.shop_id}/orders?unassigned=1",
        "pick": [p for p in picks if p.startswith(f"{a['order_id']}:")] + [stale]})
    assert page.url.path == f"/shops/{w.shop_id}/orders"
    assert "已分配 1 个订单" in text_of(page)
    assert 'data-testid="bulk-code">QUANTITY_EXCEEDS_REMAINING<' in page.text
    assert _order(w, a["order_id"])["status"] == "assigned"
    assert _order(w, b["order_id"])["status"] == "unassigned"
    assert _ids(page) == ["B2"]


def test_reassigning_a_dispatch_order(shop: Setup) -> None:
    w, console = shop
    s1, s2 = w.suppliers
    w.settings("whole_store", default_supplier_id=s1.supplier_id)
    order = w.order(order_body("RA", ("TEE-RED", 1)))
    no = order["dispatch_orders"][0]["dispatch_order_no"]
    page = console.get(f"/shops/{w.shop_id}/orders/{order['order_id']}")
    assert f'data-testid="reassign-form-{no}"' in page.text
    url = f"/shops/{w.shop_id}/dispatch-orders/{no}/reassign"
    same = console.submit(url, {"supplier_id": s1.supplier_id, "order_id": order["order_id"]})
    assert f'data-testid="reassign-{no}-code">SAME_SUPPLIER<' in same.text
    page = console.submit(url, {"supplier_id": s2.supplier_id, "reason": "换一家",
                                "order_id": order["order_id"]})
    assert page.url.fragment == "dispatch" and 'data-testid="dispatch-success"' in page.text
    dispatch = {d["supplier_id"]: d["status"] for d in
                _order(w, order["order_id"])["dispatch_orders"]}
    assert dispatch == {s1.supplier_id: "cancelled", s2.supplier_id: "assigned"}
    assert "换一家" in text_of(page)  # the reason is on the timeline


HEADER = "订单号,收件人,手机号,省,市,区,详细地址,SKU编码,数量,单价,付款时间\n"
ADDRESS = "浙江省,杭州市,西湖区,文三路 90 号"
FILE = HEADER + (
    f"U1,张三,13912345678,{ADDRESS},TEE-RED,2,59.00,2026-11-25 09:30:00\n"
    f"U1,,,,,,,MUG-1,1,12.5,\n"
    f"U2,李四,12345,{ADDRESS},TEE-RED,1,59,\n"
    f"U3,王五,13912345679,{ADDRESS},TEE-BLUE,x,59,\n"
)


def _upload(console: Visitor, url: str, content: bytes,
            name: str = "orders.csv") -> httpx.Response:
    return console.client.post(url, data={"csrf": console.csrf()},
                               files={"file": (name, content, "text/csv")})


def _commit(console: Visitor, url: str, preview: httpx.Response) -> httpx.Response:
    chunks = re.findall(r'name="content" value="([^"]*)"', preview.text)
    assert chunks
    return console.client.post(url, data={"csrf": console.csrf(), "content": chunks,
                                          "filename": "orders.csv"})


def test_uploading_an_order_file(shop: Setup) -> None:
    w, console = shop
    s1, s2 = w.suppliers
    w.settings("by_product")
    w.rule("skus", "TEE-RED", s1)
    w.rule("skus", "MUG-1", s2)
    base = f"/shops/{w.shop_id}/order-upload"
    assert 'data-testid="template-csv"' in console.get(base).text
    preview = _upload(console, base, FILE.encode("gb18030"))
    text = text_of(preview)
    assert "新订单 1 个，已存在 0 个，有错误 2 个（共 4 行）" in text
    assert "第4行：手机号，不是有效的手机号" in text
    assert "第5行：数量，应为 1 到 100000 之间的整数" in text
    assert f'data-testid="routed-{s1.supplier_id}"' in preview.text
    assert f'data-testid="routed-{s2.supplier_id}"' in preview.text
    assert w.client.get(w.url("/orders"), headers=w.headers).json()["items"] == []
    done = _commit(console, f"{base}/commit", preview)
    assert 'data-testid="upload-done"' in done.text
    items = w.client.get(w.url("/orders"), headers=w.headers).json()["items"]
    assert [(o["external_id"], o["status"], len(o["dispatch_orders"])) for o in items] == \
        [("U1", "assigned", 2)]
    again = _upload(console, base, FILE.encode())
    assert "新订单 0 个，已存在 1 个" in text_of(again)
    assert 'data-testid="upload-nothing"' in again.text


@pytest.mark.parametrize(("fmt", "media", "start"), [
    ("csv", "text/csv", b"\xef\xbb\xbf\xe8\xae\xa2\xe5\x8d\x95\xe5\x8f\xb7"),  # BOM, 订单号
    ("xlsx", "application/vnd.openxmlformats", b"PK"),
])
def test_the_order_file_template(shop: Setup, fmt: str, media: str, start: bytes) -> None:
    w, console = shop
    response = console.get(f"/shops/{w.shop_id}/order-upload/template?format={fmt}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)
    assert response.content.startswith(start)
    assert "attachment" in response.headers["content-disposition"]


def test_an_unusable_order_file_is_explained(shop: Setup) -> None:
    w, console = shop
    page = _upload(console, f"/shops/{w.shop_id}/order-upload", b"a,b\n1,2\n")
    assert 'data-testid="upload-code">SHEET_HEADER_INVALID<' in page.text
    assert "缺少：external_id, buyer_name" in text_of(page)
    page = console.client.post(f"/shops/{w.shop_id}/order-upload",
                               data={"csrf": console.csrf()})
    assert 'data-testid="upload-code">UNREADABLE_FILE<' in page.text


def _waiting_order(w: World) -> dict[str, Any]:
    return w.order(order_body("G1", ("TEE-RED", 1)))


def test_order_forms_need_the_csrf_token(shop: Setup) -> None:
    w, console = shop
    order = _waiting_order(w)
    line = order["lines"][0]["line_id"]
    posts = {
        f"/shops/{w.shop_id}/orders/{order['order_id']}/assign":
            {"line_id": line, "supplier_id": w.suppliers[0].supplier_id, "quantity": "1"},
        f"/shops/{w.shop_id}/bulk-assign":
            {"pick": f"{order['order_id']}:{line}:1",
             "supplier_id": w.suppliers[0].supplier_id},
        f"/shops/{w.shop_id}/dispatch-orders/DO0000000000000001/reassign":
            {"supplier_id": w.suppliers[0].supplier_id},
        f"/shops/{w.shop_id}/order-upload": {},
        f"/shops/{w.shop_id}/order-upload/commit": {"content": "x"},
    }
    for url, data in posts.items():
        response = console.client.post(url, data=data)
        assert response.status_code == 403, url
        assert 'data-testid="error-code">CSRF_FAILED<' in response.text
    assert _order(w, order["order_id"])["status"] == "unassigned"


def test_another_shops_orders_are_404(shop: Setup, api: TestClient,
                                      person: Callable[[], Visitor]) -> None:
    w, console = shop
    order = _waiting_order(w)
    line = order["lines"][0]["line_id"]
    stranger = person()
    for path in ("/orders", f"/orders/{order['order_id']}", "/order-upload",
                 "/order-upload/template"):
        response = stranger.get(f"/shops/{w.shop_id}{path}")
        assert response.status_code == 404, path
        assert 'data-testid="error-code">SHOP_NOT_FOUND<' in response.text
    for path, data in ((f"/orders/{order['order_id']}/assign",
                        {"line_id": str(line), "supplier_id": w.suppliers[0].supplier_id,
                         "quantity": "1"}),
                       ("/bulk-assign", {"pick": f"{order['order_id']}:{line}:1",
                                         "supplier_id": w.suppliers[0].supplier_id}),
                       ("/order-upload/commit", {"content": "eJwDAAAAAAE="})):
        response = stranger.submit(f"/shops/{w.shop_id}{path}", data)
        assert response.status_code == 404, path
    assert _order(w, order["order_id"])["status"] == "unassigned"
    # another shop's order under one's own shop is missing, like any unknown one
    other = world(api)
    theirs = other.order(order_body("T1"))
    response = console.get(f"/shops/{w.shop_id}/orders/{theirs['order_id']}")
    assert response.status_code == 404
    assert 'data-testid="error-code">ORDER_NOT_FOUND<' in response.text
