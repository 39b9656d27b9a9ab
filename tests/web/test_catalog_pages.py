"""Catalog pages: a supplier's products (publish, edit, deactivate, import) and a shop's
products (sale prices, sources, mapping helper, browsing a bound supplier's products)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from tests import factories
from tests.catalog.helpers import shop_product, supply_product
from tests.web.conftest import Visitor, text_of

Setup = tuple[factories.Person, str, Visitor]


@pytest.fixture
def seller(api: TestClient, console_for: Callable[[str], Visitor]) -> Setup:
    """An active supplier (made through the API), its owner signed in to the console."""
    owner = factories.person(api)
    supplier_id = factories.supplier(api, owner, name="杭州好物供应链",
                                     approve_with=factories.admin(api))
    return owner, supplier_id, console_for(owner.login)


def _products(api: TestClient, owner: factories.Person, supplier_id: str) -> dict[str, dict]:
    response = api.get(f"/api/v1/suppliers/{supplier_id}/products", headers=owner.headers)
    return {p["spu_code"]: p for p in response.json()["items"]}


# --- the supplier's products ---------------------------------------------------------------

def test_no_products_yet_says_what_to_do(seller: Setup) -> None:
    _owner, supplier_id, console = seller
    page = console.get(f"/suppliers/{supplier_id}/products")
    assert page.status_code == 200
    assert 'data-testid="no-products"' in page.text
    assert 'data-testid="tab-products" aria-current="page"' not in page.text  # attribute order
    assert 'aria-current="page" data-testid="tab-products"' in page.text


def test_publishing_a_product_with_skus_tiers_and_stock(seller: Setup, api: TestClient) -> None:
    owner, supplier_id, console = seller
    response = console.submit(f"/suppliers/{supplier_id}/products", {
        "spu_code": "TEE-001", "title": "纯棉T恤", "ship_from_region": "浙江省 杭州市",
        "handling_hours": "24",
        "sku_code": ["TEE-001-RED-M", "TEE-001-BLUE-M", ""],
        "spec": ["红色/M", "蓝色/M", ""], "price": ["19.90", "¥20", ""],
        "stock": ["100", "", ""], "tiers": ["10:18.50, 50:16", "", ""],
    })
    assert response.url.path == f"/suppliers/{supplier_id}/products/TEE-001"
    assert 'data-testid="flash-success"' in response.text
    text = text_of(response)
    assert "¥19.90" in text and "¥18.50" in text and "库存 100" in text
    product = _products(api, owner, supplier_id)["TEE-001"]
    assert product["handling_hours"] == 24 and product["ship_from_region"] == "浙江省 杭州市"
    red, blue = product["skus"]
    assert red["price_tiers"] == [{"min_quantity": 10, "price_fen": 1850},
                                  {"min_quantity": 50, "price_fen": 1600}]
    assert (red["stock"], blue["stock"], blue["supply_price_fen"]) == (100, None, 2000)


def test_a_bad_product_form_comes_back_filled_in(seller: Setup, api: TestClient) -> None:
    owner, supplier_id, console = seller
    response = console.submit(f"/suppliers/{supplier_id}/products", {
        "spu_code": "MUG", "title": "马克杯", "sku_code": ["MUG-1", "MUG-2"],
        "spec": ["", ""], "price": ["12", "abc"], "stock": ["", ""], "tiers": ["", ""]})
    assert response.status_code == 422
    assert 'data-testid="product-code">VALIDATION_FAILED<' in response.text
    assert "supply_price" in text_of(response)
    assert 'value="MUG-2"' in response.text and 'value="abc"' in response.text
    assert _products(api, owner, supplier_id) == {}


def test_a_taken_product_code_is_product_exists(seller: Setup, api: TestClient) -> None:
    owner, supplier_id, console = seller
    supply_product(api, owner, supplier_id, "MUG", "MUG-1")
    response = console.submit(f"/suppliers/{supplier_id}/products", {
        "spu_code": "MUG", "title": "马克杯", "sku_code": "MUG-9", "price": "12",
        "spec": "", "stock": "", "tiers": ""})
    assert 'data-testid="product-code">PRODUCT_EXISTS<' in response.text


def test_listing_searching_and_paging_products(seller: Setup, api: TestClient) -> None:
    owner, supplier_id, console = seller
    for n in range(23):
        supply_product(api, owner, supplier_id, f"P{n:02d}", f"P{n:02d}-A")
    page = console.get(f"/suppliers/{supplier_id}/products")
    assert page.text.count('data-testid="product-P') == 20
    cursor = re.search(r'\?q=&amp;show=&amp;cursor=(\d+)" role="button" class="outline small" '
                       r'data-testid="page-next"', page.text)
    assert cursor, "a next-page link"
    rest = console.get(f"/suppliers/{supplier_id}/products?cursor={cursor.group(1)}")
    assert rest.text.count('data-testid="product-P') == 3
    assert 'data-testid="page-first"' in rest.text and 'data-testid="page-next"' not in rest.text
    found = console.get(f"/suppliers/{supplier_id}/products", params={"q": "p07-a"})
    assert 'data-testid="product-P07"' in found.text
    assert found.text.count('data-testid="product-P') == 1
    none = console.get(f"/suppliers/{supplier_id}/products", params={"q": "nothing-like-it"})
    assert "没有匹配的商品" in text_of(none) and 'data-testid="no-products"' not in none.text


def test_editing_the_product_and_a_sku_then_deactivating(seller: Setup, api: TestClient) -> None:
    owner, supplier_id, console = seller
    supply_product(api, owner, supplier_id, "MUG", "MUG-1", price=990)
    base = f"/suppliers/{supplier_id}/products/MUG"
    page = console.submit(base, {"title": "陶瓷马克杯", "ship_from_region": "江西省 景德镇市",
                                 "handling_hours": "72"})
    assert page.url.fragment == "product" and "陶瓷马克杯" in text_of(page)
    page = console.submit(f"{base}/skus/MUG-1", {"price": "11.5", "stock": "30", "spec": "白色",
                                                 "tiers": "20:10", "active": "1"})
    assert 'data-testid="skus-success"' in page.text
    sku = _products(api, owner, supplier_id)["MUG"]["skus"][0]
    assert (sku["supply_price_fen"], sku["stock"], sku["spec"]) == (1150, 30, "白色")
    assert sku["price_tiers"] == [{"min_quantity": 20, "price_fen": 1000}]
    console.submit(f"{base}/skus/MUG-1", {"price": "11.5", "stock": "", "spec": "白色",
                                          "tiers": "", "active": "1"})
    sku = _products(api, owner, supplier_id)["MUG"]["skus"][0]
    assert sku["stock"] is None and sku["price_tiers"] == []  # stock no longer tracked
    page = console.submit(f"{base}/active", {"active": "0"})
    assert 'data-testid="product-activate"' in page.text
    assert _products(api, owner, supplier_id)["MUG"]["active"] is False


def test_bad_tiers_and_a_duplicate_sku_say_why(seller: Setup, api: TestClient) -> None:
    owner, supplier_id, console = seller
    supply_product(api, owner, supplier_id, "MUG", "MUG-1")
    supply_product(api, owner, supplier_id, "CUP", "CUP-1")
    base = f"/suppliers/{supplier_id}/products/MUG"
    page = console.submit(f"{base}/skus/MUG-1", {"price": "10", "stock": "", "spec": "",
                                                 "tiers": "5:9, 3:8", "active": "1"})
    assert 'data-testid="skus-code">INVALID_PRICE_TIERS<' in page.text
    page = console.submit(f"{base}/skus", {"sku_code": "CUP-1", "price": "10", "spec": "",
                                           "stock": "", "tiers": ""})
    assert page.url.fragment == "add-sku"
    assert 'data-testid="add-sku-code">SKU_EXISTS<' in page.text
    assert 'value="CUP-1"' in page.text  # what was typed comes back
    page = console.submit(f"{base}/skus", {"sku_code": "MUG-2", "price": "9.9", "spec": "",
                                           "stock": "5", "tiers": ""})
    assert [s["sku_code"] for s in _products(api, owner, supplier_id)["MUG"]["skus"]] == \
        ["MUG-1", "MUG-2"]


def _upload(console: Visitor, path: str, name: str, content: bytes) -> httpx.Response:
    return console.client.post(path, data={"csrf": console.csrf()},
                               files={"file": (name, content, "application/octet-stream")})


def _commit(console: Visitor, path: str, preview: httpx.Response) -> httpx.Response:
    chunks = re.findall(r'name="content" value="([^"]*)"', preview.text)
    assert chunks, "the preview carries the file"
    filename = re.search(r'name="filename" value="([^"]*)"', preview.text)
    assert filename, "the preview carries the file's name"
    return console.client.post(path, data={"csrf": console.csrf(), "content": chunks,
                                           "filename": filename.group(1)})


IMPORT_CSV = ("商品编码,商品名称,SKU编码,供货价,库存,发货地,规格\n"
              "TEE,纯棉T恤,TEE-RED,19.90,100,浙江省 杭州市,红色\n"
              "TEE,,TEE-BLUE,abc,,,蓝色\n"
              "MUG,,MUG-1,9.9,,,\n"
              "CAP,棒球帽,CAP-1,29,5,,\n")


def test_importing_products_previews_then_commits(seller: Setup, api: TestClient) -> None:
    owner, supplier_id, console = seller
    base = f"/suppliers/{supplier_id}/product-import"
    form = console.get(base)
    assert 'data-testid="template-xlsx"' in form.text
    preview = _upload(console, base, "products.csv", IMPORT_CSV.encode("gb18030"))
    assert 'data-testid="import-preview"' in preview.text
    text = text_of(preview)
    assert "新增 2，修改 0，未变 0，错误 2 行" in text
    assert "第3行：供货价，应为以元为单位的金额，如 12.50" in text
    assert "第4行：商品名称，新商品必填" in text
    assert _products(api, owner, supplier_id) == {}  # a preview saves nothing
    done = _commit(console, f"{base}/commit", preview)
    assert 'data-testid="import-done"' in done.text
    assert set(_products(api, owner, supplier_id)) == {"TEE", "CAP"}
    again = _upload(console, base, "products.csv", IMPORT_CSV.encode())
    assert "新增 0，修改 0，未变 2，错误 2 行" in text_of(again)
    assert 'data-testid="import-nothing"' in again.text


def test_importing_an_xlsx_in_english(seller: Setup, api: TestClient) -> None:
    owner, supplier_id, console = seller
    console.get("/locale/en")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["spu_code", "title", "sku_code", "supply_price", "stock"])
    sheet.append(["PEN", "Pen", "PEN-1", 3.5, 1000])
    sheet.append(["PEN", "", "PEN-2", -1, ""])
    buffer = io.BytesIO()
    book.save(buffer)
    base = f"/suppliers/{supplier_id}/product-import"
    preview = _upload(console, base, "p.xlsx", buffer.getvalue())
    assert "Row 3: supply_price, must not be negative" in text_of(preview)
    _commit(console, f"{base}/commit", preview)
    assert _products(api, owner, supplier_id)["PEN"]["skus"][0]["supply_price_fen"] == 350


@pytest.mark.parametrize(("content", "code"), [
    (b"a,b\n1,2\n", "SHEET_HEADER_INVALID"),
    (b"", "SHEET_EMPTY"),
    (b"\xd0\xcf\x11\xe0old-xls", "UNREADABLE_FILE"),
])
def test_an_unusable_file_is_explained(seller: Setup, content: bytes, code: str) -> None:
    _owner, supplier_id, console = seller
    page = _upload(console, f"/suppliers/{supplier_id}/product-import", "x.csv", content)
    assert f'data-testid="import-code">{code}<' in page.text
    assert 'data-testid="import-preview"' not in page.text


def test_a_tampered_commit_is_refused(seller: Setup, api: TestClient) -> None:
    owner, supplier_id, console = seller
    page = console.submit(f"/suppliers/{supplier_id}/product-import/commit",
                          {"content": "not base64 at all!", "filename": "x.csv"})
    assert 'data-testid="import-code">UNREADABLE_FILE<' in page.text
    assert _products(api, owner, supplier_id) == {}


# --- the shop's products ---------------------------------------------------------------------

@pytest.fixture
def pair(api: TestClient, console_for: Callable[[str], Visitor]) -> tuple[
        factories.Person, str, factories.Person, str, Visitor]:
    """A merchant's shop bound to an active supplier with a product; the merchant's console."""
    merchant, shop_id, owner, supplier_id = factories.bound_pair(api)
    supply_product(api, owner, supplier_id, "X-TEE", "TEE-RED", "X-TEE-BLUE", price=2090)
    return merchant, shop_id, owner, supplier_id, console_for(merchant.login)


Pair = tuple[factories.Person, str, factories.Person, str, Visitor]


def _shop_product(api: TestClient, merchant: factories.Person, shop_id: str,
                  spu: str) -> dict:
    response = api.get(f"/api/v1/shops/{shop_id}/products/{spu}", headers=merchant.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_a_shop_without_products(pair: Pair) -> None:
    *_, console = pair
    shop_id = pair[1]
    page = console.get(f"/shops/{shop_id}/products")
    assert 'data-testid="no-products"' in page.text
    assert f'data-testid="browse-{pair[3]}"' in page.text


def test_listing_a_product_with_sale_prices(pair: Pair, api: TestClient) -> None:
    merchant, shop_id, _owner, _supplier_id, console = pair
    page = console.submit(f"/shops/{shop_id}/products", {
        "spu_code": "TEE", "title": "T恤", "sku_code": ["TEE-RED", "TEE-BLUE"],
        "spec": ["红", "蓝"], "price": ["59", "59.90"]})
    assert page.url.path == f"/shops/{shop_id}/products/TEE" and page.url.fragment == "skus"
    assert "¥59.90" in text_of(page) and 'data-testid="no-sources"' in page.text
    skus = _shop_product(api, merchant, shop_id, "TEE")["skus"]
    assert [(s["sku_code"], s["price_fen"]) for s in skus] == [("TEE-RED", 5900),
                                                               ("TEE-BLUE", 5990)]
    listing = console.get(f"/shops/{shop_id}/products")
    assert 'data-testid="unmapped"' in listing.text


def test_a_bad_sale_price_keeps_the_form(pair: Pair) -> None:
    _merchant, shop_id, *_rest, console = pair
    page = console.submit(f"/shops/{shop_id}/products", {
        "spu_code": "TEE", "title": "T恤", "sku_code": "TEE-RED", "spec": "", "price": "-3"})
    assert page.status_code == 422
    assert 'data-testid="product-code">VALIDATION_FAILED<' in page.text
    assert 'value="TEE-RED"' in page.text


def test_setting_sources_by_hand(pair: Pair, api: TestClient) -> None:
    merchant, shop_id, _owner, supplier_id, console = pair
    shop_product(api, merchant, shop_id, "TEE", [{"sku_code": "TEE-RED", "price_fen": 5900}])
    url = f"/shops/{shop_id}/products/TEE/skus/TEE-RED/sources"
    page = console.submit(url, {"supplier_id": supplier_id, "supplier_sku": "NOPE"})
    assert 'data-testid="sources-TEE-RED-code">SUPPLIER_SKU_NOT_FOUND<' in page.text
    page = console.submit(url, {"supplier_id": supplier_id, "supplier_sku": "TEE-RED"})
    assert page.url.fragment == "sku-TEE-RED"
    assert f'data-testid="source-{supplier_id}"' in page.text and "¥20.90" in text_of(page)
    sources = _shop_product(api, merchant, shop_id, "TEE")["skus"][0]["sources"]
    assert [(s["supplier_id"], s["sku_code"]) for s in sources] == [(supplier_id, "TEE-RED")]
    console.submit(url, {"supplier_id": supplier_id, "supplier_sku": ""})  # clears it
    assert _shop_product(api, merchant, shop_id, "TEE")["skus"][0]["sources"] == []


def test_a_source_from_an_unbound_supplier_is_refused(pair: Pair, api: TestClient) -> None:
    merchant, shop_id, *_rest, console = pair
    shop_product(api, merchant, shop_id, "TEE", [{"sku_code": "TEE-RED", "price_fen": 5900}])
    stranger = factories.supplier(api, factories.person(api), approve_with=factories.admin(api))
    page = console.submit(f"/shops/{shop_id}/products/TEE/skus/TEE-RED/sources",
                          {"supplier_id": stranger, "supplier_sku": "ANY"})
    assert 'data-testid="sources-TEE-RED-code">SUPPLIER_NOT_BOUND<' in page.text


def test_the_mapping_helper_proposes_and_confirms(pair: Pair, api: TestClient) -> None:
    merchant, shop_id, _owner, supplier_id, console = pair
    shop_product(api, merchant, shop_id, "TEE", [{"sku_code": "TEE-RED", "price_fen": 5900},
                                                 {"sku_code": "TEE-PINK", "price_fen": 5900}])
    page = console.get(f"/shops/{shop_id}/mapping")
    assert 'data-testid="proposal-TEE-RED"' in page.text
    assert 'data-testid="proposal-TEE-PINK"' not in page.text
    assert "SKU 编码相同" in text_of(page)
    done = console.submit(f"/shops/{shop_id}/mapping",
                          {"supplier_id": supplier_id,
                           "pick": ["TEE-RED\tTEE-RED", "TEE-PINK\tNOPE"]})
    assert "已添加 1 个货源" in text_of(done)
    assert 'data-testid="mapping-code">SUPPLIER_SKU_NOT_FOUND<' in done.text
    assert 'data-testid="proposal-TEE-RED"' not in done.text  # mapped now
    sources = _shop_product(api, merchant, shop_id, "TEE")["skus"][0]["sources"]
    assert [s["sku_code"] for s in sources] == ["TEE-RED"]


def test_the_mapping_helper_without_bound_suppliers(api: TestClient,
                                                    console_for: Callable[[str], Visitor]
                                                    ) -> None:
    merchant = factories.person(api)
    shop_id = factories.shop(api, merchant)
    page = console_for(merchant.login).get(f"/shops/{shop_id}/mapping")
    assert 'data-testid="no-bound"' in page.text


def test_browsing_a_bound_suppliers_products(pair: Pair, api: TestClient) -> None:
    *_, supplier_id, console = pair
    shop_id = pair[1]
    page = console.get(f"/shops/{shop_id}/suppliers/{supplier_id}/products")
    assert 'data-testid="supply-X-TEE"' in page.text and "¥20.90" in text_of(page)
    stranger = factories.supplier(api, factories.person(api), approve_with=factories.admin(api))
    page = console.get(f"/shops/{shop_id}/suppliers/{stranger}/products")
    assert page.status_code == 422
    assert 'data-testid="error-code">SUPPLIER_NOT_BOUND<' in page.text


# --- guards: CSRF on every form, other tenants' pages ------------------------------------------

SUPPLY_POSTS = ["/suppliers/{supplier_id}/products",
                "/suppliers/{supplier_id}/products/X-TEE",
                "/suppliers/{supplier_id}/products/X-TEE/active",
                "/suppliers/{supplier_id}/products/X-TEE/skus",
                "/suppliers/{supplier_id}/products/X-TEE/skus/TEE-RED",
                "/suppliers/{supplier_id}/product-import",
                "/suppliers/{supplier_id}/product-import/commit"]
SHOP_POSTS = ["/shops/{shop_id}/products",
              "/shops/{shop_id}/products/TEE",
              "/shops/{shop_id}/products/TEE/skus",
              "/shops/{shop_id}/products/TEE/skus/TEE-RED",
              "/shops/{shop_id}/products/TEE/skus/TEE-RED/sources",
              "/shops/{shop_id}/mapping"]
SUPPLY_GETS = ["/suppliers/{supplier_id}/products", "/suppliers/{supplier_id}/new-product",
               "/suppliers/{supplier_id}/products/X-TEE",
               "/suppliers/{supplier_id}/product-import"]
SHOP_GETS = ["/shops/{shop_id}/products", "/shops/{shop_id}/new-product",
             "/shops/{shop_id}/products/TEE", "/shops/{shop_id}/mapping",
             "/shops/{shop_id}/suppliers/{supplier_id}/products"]


def test_catalog_forms_need_the_csrf_token(pair: Pair, api: TestClient,
                                           console_for: Callable[[str], Visitor]) -> None:
    merchant, shop_id, owner, supplier_id, merchant_console = pair
    shop_product(api, merchant, shop_id, "TEE", [{"sku_code": "TEE-RED", "price_fen": 5900}])
    before = (_products(api, owner, supplier_id), _shop_product(api, merchant, shop_id, "TEE"))
    for console, paths in ((console_for(owner.login), SUPPLY_POSTS),
                           (merchant_console, SHOP_POSTS)):
        for path in paths:
            url = path.format(supplier_id=supplier_id, shop_id=shop_id)
            response = console.client.post(url, data={"title": "x", "active": "0",
                                                       "price": "1", "sku_code": "Z",
                                                       "spu_code": "Z"})
            assert response.status_code == 403, url
            assert 'data-testid="error-code">CSRF_FAILED<' in response.text, url
    assert (_products(api, owner, supplier_id),
            _shop_product(api, merchant, shop_id, "TEE")) == before


def test_another_tenants_catalog_pages_are_404(pair: Pair, api: TestClient,
                                               person: Callable[[], Visitor]) -> None:
    merchant, shop_id, owner, supplier_id, _console = pair
    shop_product(api, merchant, shop_id, "TEE", [{"sku_code": "TEE-RED", "price_fen": 5900}])
    before = (_products(api, owner, supplier_id), _shop_product(api, merchant, shop_id, "TEE"))
    stranger = person()
    for path in SUPPLY_GETS + SHOP_GETS:
        url = path.format(supplier_id=supplier_id, shop_id=shop_id)
        response = stranger.get(url)
        assert response.status_code == 404, url
        assert re.search(r'data-testid="error-code">(SUPPLIER|SHOP)_NOT_FOUND<', response.text)
    for path in SUPPLY_POSTS + SHOP_POSTS:
        url = path.format(supplier_id=supplier_id, shop_id=shop_id)
        response = stranger.submit(url, {"title": "x", "active": "0", "price": "1",
                                         "sku_code": "Z", "spu_code": "Z"})
        assert response.status_code == 404, url
    assert (_products(api, owner, supplier_id),
            _shop_product(api, merchant, shop_id, "TEE")) == before


def test_an_unknown_product_code_is_404(pair: Pair) -> None:
    _merchant, shop_id, *_rest, console = pair
    response = console.get(f"/shops/{shop_id}/products/NOPE")
    assert response.status_code == 404
    assert 'data-testid="error-code">PRODUCT_NOT_FOUND<' in response.text
