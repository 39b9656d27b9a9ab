"""A shop lists products whose SKUs map to bound suppliers' SKUs (sources)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests import factories as f
from tests.api.support import assert_problem, ok
from tests.catalog.helpers import second_supplier, shop_product, supply_product


@pytest.fixture
def world(client: TestClient) -> dict[str, Any]:
    """A shop bound to supplier A (with products) and supplier B; C active but unbound."""
    platform = f.admin(client)
    merchant, shop_id, owner_a, supplier_a = f.bound_pair(client)
    owner_b, supplier_b = second_supplier(client, merchant, shop_id, platform)
    owner_c = f.person(client)
    supplier_c = f.supplier(client, owner_c, approve_with=platform)
    supply_product(client, owner_a, supplier_a, "A-TEE", "A-TEE-M", "A-TEE-L", price=1500)
    supply_product(client, owner_b, supplier_b, "B-TEE", "B-TEE-M", price=1400)
    supply_product(client, owner_c, supplier_c, "C-TEE", "C-TEE-M")
    return {"platform": platform, "merchant": merchant, "shop_id": shop_id,
            "a": (owner_a, supplier_a), "b": (owner_b, supplier_b), "c": (owner_c, supplier_c)}


def _post(client: TestClient, w: dict[str, Any], sources: list[dict[str, str]],
          sku_code: str = "TEE-M") -> Any:
    body = {"spu_code": "TEE", "title": "T恤",
            "skus": [{"sku_code": sku_code, "price_fen": 3900, "sources": sources}]}
    return client.post(f"/api/v1/shops/{w['shop_id']}/products", json=body,
                       headers=w["merchant"].headers)


def test_list_product_with_sources_from_two_suppliers(client: TestClient,
                                                      world: dict[str, Any]) -> None:
    a, b = world["a"][1], world["b"][1]
    product = ok(_post(client, world, [{"supplier_id": a, "sku_code": "A-TEE-M"},
                                       {"supplier_id": b, "sku_code": "B-TEE-M"}]), 201)
    assert product["shop_id"] == world["shop_id"]
    (sku,) = product["skus"]
    assert sku["price_fen"] == 3900
    assert [(s["supplier_id"], s["sku_code"], s["supply_price_fen"], s["available"])
            for s in sku["sources"]] == [(a, "A-TEE-M", 1500, True), (b, "B-TEE-M", 1400, True)]
    url = f"/api/v1/shops/{world['shop_id']}/products/TEE"
    assert ok(client.get(url, headers=world["merchant"].headers)) == product


def test_source_errors_have_exact_codes(client: TestClient, world: dict[str, Any]) -> None:
    a, c = world["a"][1], world["c"][1]
    assert_problem(_post(client, world, [{"supplier_id": c, "sku_code": "C-TEE-M"}]),
                   422, "SUPPLIER_NOT_BOUND")
    assert_problem(_post(client, world, [{"supplier_id": a, "sku_code": "B-TEE-M"}]),
                   422, "SUPPLIER_SKU_NOT_FOUND")
    assert_problem(_post(client, world, [{"supplier_id": world["shop_id"], "sku_code": "X"}]),
                   422, "NOT_A_SUPPLIER_ID")
    typo = a[:-1] + ("2" if a[-1] != "2" else "3")
    assert_problem(_post(client, world, [{"supplier_id": typo, "sku_code": "X"}]),
                   422, "INVALID_SUPPLIER_ID")
    assert_problem(_post(client, world, [{"supplier_id": a, "sku_code": "A-TEE-M"},
                                         {"supplier_id": a, "sku_code": "A-TEE-L"}]),
                   422, "DUPLICATE_SOURCE")
    # nothing was half-created by the failures
    assert ok(client.get(f"/api/v1/shops/{world['shop_id']}/products",
                         headers=world["merchant"].headers))["items"] == []


def test_inactive_supplier_sku_cannot_be_a_source(client: TestClient,
                                                  world: dict[str, Any]) -> None:
    owner_a, a = world["a"]
    ok(client.post(f"/api/v1/suppliers/{a}/products/A-TEE/skus/A-TEE-M/deactivate",
                   headers=owner_a.headers))
    assert_problem(_post(client, world, [{"supplier_id": a, "sku_code": "A-TEE-M"}]),
                   422, "SUPPLIER_SKU_NOT_FOUND")
    ok(client.post(f"/api/v1/suppliers/{a}/products/A-TEE/deactivate", headers=owner_a.headers))
    assert_problem(_post(client, world, [{"supplier_id": a, "sku_code": "A-TEE-L"}]),
                   422, "SUPPLIER_SKU_NOT_FOUND")


def test_suspended_or_unbound_supplier_is_not_bound(client: TestClient,
                                                    world: dict[str, Any]) -> None:
    a, b = world["a"][1], world["b"][1]
    f.review(client, world["platform"], a, "suspend")
    assert_problem(_post(client, world, [{"supplier_id": a, "sku_code": "A-TEE-M"}]),
                   422, "SUPPLIER_NOT_BOUND")
    ok(client.delete(f"/api/v1/shops/{world['shop_id']}/bindings/{b}",
                     headers=world["merchant"].headers))
    assert_problem(_post(client, world, [{"supplier_id": b, "sku_code": "B-TEE-M"}]),
                   422, "SUPPLIER_NOT_BOUND")


def test_duplicates_and_unknowns(client: TestClient, world: dict[str, Any]) -> None:
    merchant, shop_id = world["merchant"], world["shop_id"]
    shop_product(client, merchant, shop_id, "TEE", [{"sku_code": "TEE-M", "price_fen": 1}])
    assert_problem(_post(client, world, []), 409, "SKU_EXISTS")
    body = {"spu_code": "TEE", "title": "x", "skus": [{"sku_code": "OTHER", "price_fen": 1}]}
    assert_problem(client.post(f"/api/v1/shops/{shop_id}/products", json=body,
                               headers=merchant.headers), 409, "PRODUCT_EXISTS")
    body = {"spu_code": "NEW", "title": "x", "skus": [{"sku_code": "D", "price_fen": 1},
                                                      {"sku_code": "D", "price_fen": 2}]}
    assert_problem(client.post(f"/api/v1/shops/{shop_id}/products", json=body,
                               headers=merchant.headers), 422, "DUPLICATE_SKU_CODE")
    body = {"spu_code": "NEW", "title": "x", "skus": [{"sku_code": "D", "price_fen": -1}]}
    assert_problem(client.post(f"/api/v1/shops/{shop_id}/products", json=body,
                               headers=merchant.headers), 422, "VALIDATION_FAILED")
    assert_problem(client.get(f"/api/v1/shops/{shop_id}/products/NOPE",
                              headers=merchant.headers), 404, "PRODUCT_NOT_FOUND")


def test_replace_sources(client: TestClient, world: dict[str, Any]) -> None:
    a, b, c = world["a"][1], world["b"][1], world["c"][1]
    merchant, shop_id = world["merchant"], world["shop_id"]
    ok(_post(client, world, [{"supplier_id": a, "sku_code": "A-TEE-M"}]), 201)
    url = f"/api/v1/shops/{shop_id}/products/TEE/skus/TEE-M/sources"
    product = ok(client.put(url, json={"sources": [{"supplier_id": b, "sku_code": "B-TEE-M"},
                                                   {"supplier_id": a, "sku_code": "A-TEE-L"}]},
                            headers=merchant.headers))
    assert [(s["supplier_id"], s["sku_code"]) for s in product["skus"][0]["sources"]] == [
        (b, "B-TEE-M"), (a, "A-TEE-L")]
    assert_problem(client.put(url, json={"sources": [{"supplier_id": c, "sku_code": "C-TEE-M"}]},
                              headers=merchant.headers), 422, "SUPPLIER_NOT_BOUND")
    product = ok(client.put(url, json={"sources": []}, headers=merchant.headers))
    assert product["skus"][0]["sources"] == []
    assert_problem(client.put(f"/api/v1/shops/{shop_id}/products/TEE/skus/NOPE/sources",
                              json={"sources": []}, headers=merchant.headers),
                   404, "SKU_NOT_FOUND")


def test_edit_add_and_deactivate(client: TestClient, world: dict[str, Any]) -> None:
    merchant, shop_id, a = world["merchant"], world["shop_id"], world["a"][1]
    shop_product(client, merchant, shop_id, "TEE", [{"sku_code": "TEE-M", "price_fen": 100}])
    url = f"/api/v1/shops/{shop_id}/products/TEE"
    assert ok(client.patch(url, json={"title": "新T恤"}, headers=merchant.headers))["title"] == (
        "新T恤")
    product = ok(client.patch(url + "/skus/TEE-M", json={"price_fen": 4900, "spec": "M"},
                              headers=merchant.headers))
    assert (product["skus"][0]["price_fen"], product["skus"][0]["spec"]) == (4900, "M")
    product = ok(client.post(url + "/skus", json={"sku_code": "TEE-L", "price_fen": 5900,
                                                  "sources": [{"supplier_id": a,
                                                               "sku_code": "A-TEE-L"}]},
                             headers=merchant.headers), 201)
    assert [s["sku_code"] for s in product["skus"]] == ["TEE-M", "TEE-L"]
    assert product["skus"][1]["sources"][0]["sku_code"] == "A-TEE-L"
    assert_problem(client.post(url + "/skus", json={"sku_code": "TEE-L", "price_fen": 1},
                               headers=merchant.headers), 409, "SKU_EXISTS")
    assert_problem(client.patch(url + "/skus/NOPE", json={"price_fen": 1},
                                headers=merchant.headers), 404, "SKU_NOT_FOUND")
    assert ok(client.post(url + "/deactivate", headers=merchant.headers))["active"] is False
    assert ok(client.post(url + "/activate", headers=merchant.headers))["active"] is True


def test_list_search_and_paging(client: TestClient, world: dict[str, Any]) -> None:
    merchant, shop_id = world["merchant"], world["shop_id"]
    for i in range(3):
        shop_product(client, merchant, shop_id, f"P{i}", [{"sku_code": f"K{i}", "price_fen": 1}])
    url = f"/api/v1/shops/{shop_id}/products"
    page = ok(client.get(url, params={"limit": 2}, headers=merchant.headers))
    assert [p["spu_code"] for p in page["items"]] == ["P0", "P1"]
    page = ok(client.get(url, params={"limit": 2, "cursor": page["next_cursor"]},
                         headers=merchant.headers))
    assert [p["spu_code"] for p in page["items"]] == ["P2"] and page["next_cursor"] is None
    found = ok(client.get(url, params={"q": "k1"}, headers=merchant.headers))
    assert [p["spu_code"] for p in found["items"]] == ["P1"]


def test_suppliers_never_see_shop_products(client: TestClient, world: dict[str, Any]) -> None:
    owner_a, a = world["a"]
    shop_id = world["shop_id"]
    ok(_post(client, world, [{"supplier_id": a, "sku_code": "A-TEE-M"}]), 201)
    for path in ("/products", "/products/TEE", f"/products/mapping-suggestions?supplier_id={a}"):
        assert_problem(client.get(f"/api/v1/shops/{shop_id}{path}", headers=owner_a.headers),
                       404, "SHOP_NOT_FOUND")
    supplier_view = ok(client.get(f"/api/v1/suppliers/{a}/products/A-TEE",
                                  headers=owner_a.headers))
    assert "3900" not in str(supplier_view) and "price_fen" not in {
        k for sku in supplier_view["skus"] for k in sku}


def test_shop_browses_a_bound_suppliers_active_products(client: TestClient,
                                                        world: dict[str, Any]) -> None:
    (owner_a, a), c = world["a"], world["c"][1]
    merchant, shop_id = world["merchant"], world["shop_id"]
    supply_product(client, owner_a, a, "A-MUG", "A-MUG-1")
    ok(client.post(f"/api/v1/suppliers/{a}/products/A-MUG/deactivate", headers=owner_a.headers))
    url = f"/api/v1/shops/{shop_id}/supplier-products"
    found = ok(client.get(url, params={"supplier_id": a}, headers=merchant.headers))
    assert [p["spu_code"] for p in found["items"]] == ["A-TEE"]
    assert [s["sku_code"] for s in found["items"][0]["skus"]] == ["A-TEE-M", "A-TEE-L"]
    searched = ok(client.get(url, params={"supplier_id": a, "q": "tee-l"},
                             headers=merchant.headers))
    assert len(searched["items"]) == 1
    assert_problem(client.get(url, params={"supplier_id": c}, headers=merchant.headers),
                   422, "SUPPLIER_NOT_BOUND")
    assert_problem(client.get(url, params={"supplier_id": shop_id}, headers=merchant.headers),
                   422, "NOT_A_SUPPLIER_ID")
    assert_problem(client.get(url, params={"supplier_id": a}, headers=owner_a.headers),
                   404, "SHOP_NOT_FOUND")
