"""The mapping helper proposes supplier SKUs for shop SKUs without a source from them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests import factories as f
from tests.api.support import assert_problem, ok
from tests.catalog.helpers import shop_product


def test_suggests_by_code_spec_and_position_and_confirm_with_put(client: TestClient) -> None:
    merchant, shop_id, owner, supplier_id = f.bound_pair(client)
    body = {"spu_code": "TEE", "title": "T恤",
            "skus": [{"sku_code": "TEE-RED", "supply_price_fen": 1000, "spec": "红色"},
                     {"sku_code": "TEE-BLUE", "supply_price_fen": 1100, "spec": "蓝色"}]}
    ok(client.post(f"/api/v1/suppliers/{supplier_id}/products", json=body,
                   headers=owner.headers), 201)
    body = {"spu_code": "MUG", "title": "杯子",
            "skus": [{"sku_code": "M1", "supply_price_fen": 500},
                     {"sku_code": "M2", "supply_price_fen": 600}]}
    ok(client.post(f"/api/v1/suppliers/{supplier_id}/products", json=body,
                   headers=owner.headers), 201)
    shop_product(client, merchant, shop_id, "TEE", [
        {"sku_code": "TEE-RED", "price_fen": 3000},
        {"sku_code": "MY-BLUE", "price_fen": 3000, "spec": " 蓝色 "}])
    shop_product(client, merchant, shop_id, "MUG", [
        {"sku_code": "MUG-SMALL", "price_fen": 1500}, {"sku_code": "MUG-BIG", "price_fen": 1800}])
    shop_product(client, merchant, shop_id, "OTHER", [{"sku_code": "O1", "price_fen": 1}])
    url = f"/api/v1/shops/{shop_id}/mapping-suggestions"
    found = ok(client.get(url, params={"supplier_id": supplier_id}, headers=merchant.headers))
    got = {(s["sku_code"], s["supplier_sku_code"], s["match"], s["supply_price_fen"])
           for s in found["items"]}
    assert got == {("TEE-RED", "TEE-RED", "sku_code", 1000), ("MY-BLUE", "TEE-BLUE", "spec", 1100),
                   ("MUG-SMALL", "M1", "position", 500), ("MUG-BIG", "M2", "position", 600)}
    ok(client.put(f"/api/v1/shops/{shop_id}/products/TEE/skus/TEE-RED/sources",
                  json={"sources": [{"supplier_id": supplier_id, "sku_code": "TEE-RED"}]},
                  headers=merchant.headers))
    again = ok(client.get(url, params={"supplier_id": supplier_id}, headers=merchant.headers))
    assert "TEE-RED" not in {s["sku_code"] for s in again["items"]}
    assert len(again["items"]) == 3


def test_suggestions_need_a_bound_supplier(client: TestClient) -> None:
    platform = f.admin(client)
    merchant, shop_id, _, supplier_id = f.bound_pair(client)
    stranger = f.person(client)
    unbound = f.supplier(client, stranger, approve_with=platform)
    url = f"/api/v1/shops/{shop_id}/mapping-suggestions"
    assert_problem(client.get(url, params={"supplier_id": unbound}, headers=merchant.headers),
                   422, "SUPPLIER_NOT_BOUND")
    assert_problem(client.get(url, params={"supplier_id": shop_id}, headers=merchant.headers),
                   422, "NOT_A_SUPPLIER_ID")
    assert_problem(client.get(url, headers=merchant.headers), 422, "VALIDATION_FAILED")
    assert ok(client.get(url, params={"supplier_id": supplier_id},
                         headers=merchant.headers))["items"] == []


def test_a_product_coded_mapping_suggestions_is_not_hidden_by_the_helper(
        client: TestClient) -> None:
    merchant, shop_id, owner, supplier_id = f.bound_pair(client)
    ok(client.post(f"/api/v1/suppliers/{supplier_id}/products", headers=owner.headers,
                   json={"spu_code": "MS", "title": "x",
                         "skus": [{"sku_code": "MS-1", "supply_price_fen": 100}]}), 201)
    shop_product(client, merchant, shop_id, "mapping-suggestions",
                 [{"sku_code": "MS-1", "price_fen": 300}])
    product_url = f"/api/v1/shops/{shop_id}/products/mapping-suggestions"
    product = ok(client.get(product_url, headers=merchant.headers))
    assert product["spu_code"] == "mapping-suggestions"
    edited = ok(client.patch(product_url, json={"title": "renamed"}, headers=merchant.headers))
    assert edited["title"] == "renamed"
    params = {"supplier_id": supplier_id}
    new = ok(client.get(f"/api/v1/shops/{shop_id}/mapping-suggestions", params=params,
                        headers=merchant.headers))
    assert [s["sku_code"] for s in new["items"]] == ["MS-1"]
    # the old address still answers old clients, who always pass the supplier
    old = ok(client.get(product_url, params=params, headers=merchant.headers))
    assert old == new


def test_without_a_product_of_that_code_the_old_address_is_a_missing_product(
        client: TestClient) -> None:
    merchant, shop_id, _, _ = f.bound_pair(client)
    assert_problem(client.get(f"/api/v1/shops/{shop_id}/products/mapping-suggestions",
                              headers=merchant.headers), 404, "PRODUCT_NOT_FOUND")
