"""Dispatch settings page: the mode with its options, the rule editor, the rules list and the
dry run of an edited rule before it is switched on."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

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


def _settings(w: World) -> dict[str, Any]:
    response = w.client.get(w.url("/dispatch-settings"), headers=w.headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _rules(w: World) -> dict[str, list[str]]:
    response = w.client.get(w.url("/dispatch-rules"), headers=w.headers)
    return {f"{r['kind']}:{r['key']}": r["supplier_ids"] for r in response.json()["items"]}


def _editor(page: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="rule-editor-data">(.*?)</script>',
                      page, re.S)
    assert found, "the rule editor's data"
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


def test_a_new_shop_is_manual_with_no_rules(shop: Setup) -> None:
    w, console = shop
    page = console.get(f"/shops/{w.shop_id}/dispatch")
    assert page.status_code == 200
    assert 'data-testid="current-mode"><span class="status status-manual"' in page.text
    assert 'name="mode" value="manual" checked' in page.text
    assert "还没有规则" in text_of(page)
    editor = _editor(page.text)
    assert editor["chosen"] == [] and len(editor["suppliers"]) == 2


def test_a_shop_without_bound_suppliers_is_told_to_bind(
        api: TestClient, console_for: Callable[[str], Visitor]) -> None:
    merchant = factories.person(api)
    shop_id = factories.shop(api, merchant)
    page = console_for(merchant.login).get(f"/shops/{shop_id}/dispatch")
    assert 'data-testid="no-bound"' in page.text


@pytest.mark.parametrize(("form", "code"), [
    ({"mode": "whole_store", "default_supplier_id": ""}, "DEFAULT_SUPPLIER_REQUIRED"),
    ({"mode": "by_product", "fallback_to_default": "1"}, "DEFAULT_SUPPLIER_REQUIRED"),
    ({"mode": "sometimes"}, "VALIDATION_FAILED"),
    ({"mode": "manual", "ship_by_hours": "0"}, "VALIDATION_FAILED"),
])
def test_settings_errors_show_next_to_the_form(shop: Setup, form: dict[str, str],
                                               code: str) -> None:
    w, console = shop
    page = console.submit(f"/shops/{w.shop_id}/dispatch/settings",
                          {"ship_by_hours": "48", **form})
    assert page.url.fragment == "settings"
    assert f'data-testid="settings-code">{code}<' in page.text
    assert _settings(w)["version"] == 0


def test_switching_to_whole_store_with_a_default(shop: Setup) -> None:
    w, console = shop
    first = w.suppliers[0].supplier_id
    page = console.submit(f"/shops/{w.shop_id}/dispatch/settings", {
        "mode": "whole_store", "default_supplier_id": first, "ship_by_hours": "24"})
    assert 'data-testid="settings-success"' in page.text
    assert "对新订单生效" in text_of(page)
    saved = _settings(w)
    assert (saved["mode"], saved["default_supplier_id"], saved["ship_by_hours"],
            saved["fallback_to_default"]) == ("whole_store", first, 24, False)
    assert f'<option value="{first}" selected>' in page.text


def test_a_default_supplier_that_is_not_bound_is_refused(shop: Setup,
                                                         api: TestClient) -> None:
    w, console = shop
    stranger = factories.supplier(api, factories.person(api), approve_with=w.platform)
    page = console.submit(f"/shops/{w.shop_id}/dispatch/settings", {
        "mode": "whole_store", "default_supplier_id": stranger, "ship_by_hours": "48"})
    assert 'data-testid="settings-code">SUPPLIER_NOT_BOUND<' in page.text


def test_saving_editing_and_deleting_a_sku_rule(shop: Setup) -> None:
    w, console = shop
    first, second = (s.supplier_id for s in w.suppliers)
    page = console.submit(f"/shops/{w.shop_id}/dispatch/rules",
                          {"kind": "sku", "key": "TEE-RED", "supplier_ids": [second, first]})
    assert page.url.fragment == "rules"
    assert 'data-testid="rule-sku-TEE-RED"' in page.text
    assert _rules(w) == {"sku:TEE-RED": [second, first]}
    chain = re.search(r'data-testid="rule-sku-TEE-RED".*?<div class="chain">(.*?)</div>',
                      page.text, re.S)
    assert chain and chain.group(1).index(second) < chain.group(1).index(first)
    editing = console.get(f"/shops/{w.shop_id}/dispatch?edit_kind=sku&edit_key=TEE-RED")
    editor = _editor(editing.text)
    assert (editor["kind"], editor["key"]) == ("sku", "TEE-RED")
    assert [c["id"] for c in editor["chosen"]] == [second, first]
    console.submit(f"/shops/{w.shop_id}/dispatch/rules",
                   {"kind": "product", "key": "TEE", "supplier_ids": first})
    assert _rules(w) == {"sku:TEE-RED": [second, first], "product:TEE": [first]}
    page = console.submit(f"/shops/{w.shop_id}/dispatch/rules/delete",
                          {"kind": "sku", "key": "TEE-RED"})
    assert 'data-testid="rules-success"' in page.text
    assert _rules(w) == {"product:TEE": [first]}
    assert _settings(w)["version"] == 3


@pytest.mark.parametrize(("form", "code"), [
    ({"kind": "sku", "key": "NO-SUCH-SKU"}, "SKU_NOT_FOUND"),
    ({"kind": "product", "key": "NO-SUCH"}, "PRODUCT_NOT_FOUND"),
    ({"kind": "sku", "key": "TEE-RED", "supplier_ids": []}, "VALIDATION_FAILED"),
])
def test_rule_errors_keep_the_editor(shop: Setup, form: dict[str, Any], code: str) -> None:
    w, console = shop
    data = {"supplier_ids": [w.suppliers[0].supplier_id], **form}
    page = console.submit(f"/shops/{w.shop_id}/dispatch/rules", data)
    assert page.status_code == 422
    assert f'data-testid="rule-code">{code}<' in page.text
    editor = _editor(page.text)
    assert (editor["kind"], editor["key"]) == (form["kind"], form["key"])
    assert _rules(w) == {}


def test_a_rule_naming_an_unbound_supplier_is_refused(shop: Setup, api: TestClient) -> None:
    w, console = shop
    stranger = factories.supplier(api, factories.person(api), approve_with=w.platform)
    page = console.submit(f"/shops/{w.shop_id}/dispatch/rules", {
        "kind": "sku", "key": "TEE-RED",
        "supplier_ids": [w.suppliers[0].supplier_id, stranger]})
    assert 'data-testid="rule-code">SUPPLIER_NOT_BOUND<' in page.text
    assert "该供货商未与本店绑定" in text_of(page)  # the code, and what it means
    assert [c["id"] for c in _editor(page.text)["chosen"]] == [w.suppliers[0].supplier_id,
                                                               stranger]
    assert _rules(w) == {}


def test_searching_skus_and_products_for_the_editor(shop: Setup) -> None:
    w, console = shop
    hits = console.get(f"/shops/{w.shop_id}/dispatch/search", params={"q": "tee"})
    assert not hits.text.lstrip().startswith("<!doctype")  # a fragment for htmx
    assert 'data-testid="use-product-TEE"' in hits.text
    assert 'data-testid="use-sku-TEE-RED"' in hits.text and 'data-key="TEE-BLUE"' in hits.text
    assert 'data-testid="hit-MUG"' not in hits.text
    nothing = console.get(f"/shops/{w.shop_id}/dispatch/search", params={"q": "zzz"})
    assert "没有匹配的商品或 SKU" in text_of(nothing)


def test_the_dry_run_shows_what_the_edited_rule_would_do(shop: Setup) -> None:
    w, console = shop
    first, second = (s.supplier_id for s in w.suppliers)
    for n in range(3):  # manual mode: all of them wait
        w.order(order_body(f"E{n}", ("TEE-RED", 2), ("MUG-1", 1)))
    page = console.submit(f"/shops/{w.shop_id}/dispatch/dry-run", {
        "kind": "sku", "key": "TEE-RED", "supplier_ids": [second, first], "days": "7",
        "try_mode": "by_product", "try_fallback": ""})
    assert page.status_code == 200
    result = page.text.split('data-testid="dryrun-result"', 1)[1]
    current, proposed = result.split('data-testid="dryrun-proposed"', 1)
    assert 'data-testid="dryrun-current-waiting-MANUAL_MODE"' in current
    assert f'data-testid="dryrun-proposed-{second}"' in proposed
    row = re.search(rf'data-testid="dryrun-proposed-{second}">(.*?)</tr>', proposed, re.S)
    assert row and re.sub(r"<[^>]+>", " ", row.group(1)).split()[-3:] == ["3", "6", "¥72.00"]
    assert 'data-testid="dryrun-proposed-waiting-NO_RULE"' in proposed
    assert "6 个订单" not in text_of(page) and "3 个订单、6 行" in text_of(page)
    assert [c["id"] for c in _editor(page.text)["chosen"]] == [second, first]
    assert _settings(w)["mode"] == "manual" and _rules(w) == {}  # nothing changed


def test_a_dry_run_naming_an_unbound_supplier_says_so(shop: Setup, api: TestClient) -> None:
    w, console = shop
    stranger = factories.supplier(api, factories.person(api), approve_with=w.platform)
    page = console.submit(f"/shops/{w.shop_id}/dispatch/dry-run", {
        "kind": "sku", "key": "TEE-RED", "supplier_ids": stranger, "days": "30",
        "try_mode": "by_product"})
    assert 'data-testid="dryrun-code">SUPPLIER_NOT_BOUND<' in page.text
    assert 'data-testid="dryrun-result"' not in page.text


POSTS = ["/dispatch/settings", "/dispatch/rules", "/dispatch/rules/delete", "/dispatch/dry-run"]


def test_dispatch_forms_need_the_csrf_token(shop: Setup) -> None:
    w, console = shop
    for tail in POSTS:
        response = console.client.post(f"/shops/{w.shop_id}{tail}", data={
            "mode": "whole_store", "default_supplier_id": w.suppliers[0].supplier_id,
            "kind": "sku", "key": "TEE-RED", "supplier_ids": w.suppliers[0].supplier_id})
        assert response.status_code == 403, tail
        assert 'data-testid="error-code">CSRF_FAILED<' in response.text
    assert _settings(w)["version"] == 0 and _rules(w) == {}


def test_another_shops_dispatch_pages_are_404(shop: Setup,
                                              person: Callable[[], Visitor]) -> None:
    w, _console = shop
    w.rule("skus", "TEE-RED", w.suppliers[0])
    stranger = person()
    for path in ("/dispatch", "/dispatch/search?q=TEE"):
        response = stranger.get(f"/shops/{w.shop_id}{path}")
        assert response.status_code == 404, path
        assert 'data-testid="error-code">SHOP_NOT_FOUND<' in response.text
    for tail in POSTS:
        response = stranger.submit(f"/shops/{w.shop_id}{tail}", {
            "mode": "manual", "kind": "sku", "key": "TEE-RED",
            "supplier_ids": w.suppliers[1].supplier_id})
        assert response.status_code == 404, tail
    assert _rules(w) == {"sku:TEE-RED": [w.suppliers[0].supplier_id]}
