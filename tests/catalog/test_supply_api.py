"""A supplier publishes, lists, searches, edits and deactivates supply products."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests import factories as f
from tests.api.support import assert_problem, ok
from tests.catalog.helpers import supply_product


def _supplier(client: TestClient) -> tuple[f.Person, str]:
    owner = f.person(client)
    return owner, f.supplier(client, owner)


def test_publish_product_with_skus_tiers_and_stock(client: TestClient) -> None:
    owner, supplier_id = _supplier(client)
    body = {"spu_code": "TEE", "title": "纯棉T恤", "ship_from_region": "浙江省 杭州市",
            "handling_hours": 24,
            "skus": [{"sku_code": "TEE-R-M", "supply_price_fen": 1990, "stock": 100,
                      "spec": "红色/M",
                      "price_tiers": [{"min_quantity": 10, "price_fen": 1890},
                                      {"min_quantity": 50, "price_fen": 1790}]},
                     {"sku_code": "TEE-R-L", "supply_price_fen": 1990}]}
    product = ok(client.post(f"/api/v1/suppliers/{supplier_id}/products", json=body,
                             headers=owner.headers), 201)
    assert product["supplier_id"] == supplier_id
    assert product["handling_hours"] == 24 and product["active"] is True
    first, second = product["skus"]
    assert first["sku_code"] == "TEE-R-M" and first["position"] == 0
    assert first["price_tiers"] == body["skus"][0]["price_tiers"]  # type: ignore[index]
    assert first["stock"] == 100 and first["spec"] == "红色/M"
    assert second["stock"] is None and second["price_tiers"] == [] and second["position"] == 1
    again = ok(client.get(f"/api/v1/suppliers/{supplier_id}/products/TEE",
                          headers=owner.headers))
    assert again == product


def test_duplicate_spu_is_409_product_exists(client: TestClient) -> None:
    owner, supplier_id = _supplier(client)
    supply_product(client, owner, supplier_id, "P1", "S1")
    response = client.post(f"/api/v1/suppliers/{supplier_id}/products",
                           json={"spu_code": "P1", "title": "x",
                                 "skus": [{"sku_code": "S9", "supply_price_fen": 1}]},
                           headers=owner.headers)
    assert_problem(response, 409, "PRODUCT_EXISTS")


def test_sku_code_used_by_another_product_is_409_sku_exists(client: TestClient) -> None:
    owner, supplier_id = _supplier(client)
    supply_product(client, owner, supplier_id, "P1", "S1")
    response = client.post(f"/api/v1/suppliers/{supplier_id}/products",
                           json={"spu_code": "P2", "title": "x",
                                 "skus": [{"sku_code": "S1", "supply_price_fen": 1}]},
                           headers=owner.headers)
    assert_problem(response, 409, "SKU_EXISTS")


def test_duplicate_sku_codes_in_one_body_are_422(client: TestClient) -> None:
    owner, supplier_id = _supplier(client)
    response = client.post(f"/api/v1/suppliers/{supplier_id}/products",
                           json={"spu_code": "P1", "title": "x",
                                 "skus": [{"sku_code": "S1", "supply_price_fen": 1},
                                          {"sku_code": "S1", "supply_price_fen": 2}]},
                           headers=owner.headers)
    assert_problem(response, 422, "DUPLICATE_SKU_CODE")


def _publish(client: TestClient, owner: f.Person, supplier_id: str, **sku: object) -> object:
    body = {"spu_code": "P1", "title": "x",
            "skus": [{"sku_code": "S1", "supply_price_fen": 100, **sku}]}
    return client.post(f"/api/v1/suppliers/{supplier_id}/products", json=body,
                       headers=owner.headers)


def test_bad_prices_and_tiers_are_refused(client: TestClient) -> None:
    owner, supplier_id = _supplier(client)
    assert_problem(_publish(client, owner, supplier_id, supply_price_fen=-1),  # type: ignore[arg-type]
                   422, "VALIDATION_FAILED")
    assert_problem(_publish(client, owner, supplier_id, stock=-3),  # type: ignore[arg-type]
                   422, "VALIDATION_FAILED")
    low = [{"min_quantity": 1, "price_fen": 90}]
    assert_problem(_publish(client, owner, supplier_id, price_tiers=low),  # type: ignore[arg-type]
                   422, "VALIDATION_FAILED")
    unordered = [{"min_quantity": 10, "price_fen": 90}, {"min_quantity": 5, "price_fen": 80}]
    assert_problem(_publish(client, owner, supplier_id, price_tiers=unordered),  # type: ignore[arg-type]
                   422, "INVALID_PRICE_TIERS")
    same = [{"min_quantity": 10, "price_fen": 90}, {"min_quantity": 10, "price_fen": 80}]
    assert_problem(_publish(client, owner, supplier_id, price_tiers=same),  # type: ignore[arg-type]
                   422, "INVALID_PRICE_TIERS")
    negative = [{"min_quantity": 10, "price_fen": -1}]
    assert_problem(_publish(client, owner, supplier_id, price_tiers=negative),  # type: ignore[arg-type]
                   422, "VALIDATION_FAILED")
    assert_problem(_publish(client, owner, supplier_id, sku_code="A/B"),  # type: ignore[arg-type]
                   422, "VALIDATION_FAILED")


def test_list_pages_with_cursor_and_searches_codes_and_titles(client: TestClient) -> None:
    owner, supplier_id = _supplier(client)
    for i in range(5):
        supply_product(client, owner, supplier_id, f"P{i}", f"S{i}-A", f"S{i}-B")
    supply_product(client, owner, supplier_id, "MUG", "MUG-WHITE", title="陶瓷马克杯")
    url = f"/api/v1/suppliers/{supplier_id}/products"
    first = ok(client.get(url, params={"limit": 4}, headers=owner.headers))
    assert [p["spu_code"] for p in first["items"]] == ["P0", "P1", "P2", "P3"]
    assert all(len(p["skus"]) == 2 for p in first["items"])
    rest = ok(client.get(url, params={"limit": 4, "cursor": first["next_cursor"]},
                         headers=owner.headers))
    assert [p["spu_code"] for p in rest["items"]] == ["P4", "MUG"]
    assert rest["next_cursor"] is None
    by_title = ok(client.get(url, params={"q": "马克杯"}, headers=owner.headers))
    assert [p["spu_code"] for p in by_title["items"]] == ["MUG"]
    by_sku = ok(client.get(url, params={"q": "s3-b"}, headers=owner.headers))
    assert [p["spu_code"] for p in by_sku["items"]] == ["P3"]
    wildcard = ok(client.get(url, params={"q": "%"}, headers=owner.headers))
    assert wildcard["items"] == []
    assert_problem(client.get(url, params={"cursor": "nonsense"}, headers=owner.headers),
                   422, "INVALID_CURSOR")


def test_edit_product_and_sku(client: TestClient) -> None:
    owner, supplier_id = _supplier(client)
    supply_product(client, owner, supplier_id, "P1", "S1")
    url = f"/api/v1/suppliers/{supplier_id}/products/P1"
    product = ok(client.patch(url, json={"title": "新标题", "ship_from_region": "广东省",
                                         "handling_hours": 72}, headers=owner.headers))
    assert (product["title"], product["ship_from_region"], product["handling_hours"]) == (
        "新标题", "广东省", 72)
    tiers = [{"min_quantity": 3, "price_fen": 900}]
    product = ok(client.patch(url + "/skus/S1", json={"supply_price_fen": 950, "stock": 7,
                                                      "price_tiers": tiers},
                              headers=owner.headers))
    assert product["skus"][0]["supply_price_fen"] == 950
    assert product["skus"][0]["stock"] == 7 and product["skus"][0]["price_tiers"] == tiers
    product = ok(client.patch(url + "/skus/S1", json={"stock": None}, headers=owner.headers))
    assert product["skus"][0]["stock"] is None
    assert product["skus"][0]["supply_price_fen"] == 950
    assert_problem(client.patch(url + "/skus/S1",
                                json={"price_tiers": [{"min_quantity": 5, "price_fen": 1},
                                                      {"min_quantity": 4, "price_fen": 1}]},
                                headers=owner.headers), 422, "INVALID_PRICE_TIERS")
    assert_problem(client.patch(url + "/skus/NOPE", json={"stock": 1}, headers=owner.headers),
                   404, "SKU_NOT_FOUND")
    assert_problem(client.patch(f"/api/v1/suppliers/{supplier_id}/products/NOPE",
                                json={"title": "x"}, headers=owner.headers),
                   404, "PRODUCT_NOT_FOUND")


def test_add_sku_and_deactivate_reactivate(client: TestClient) -> None:
    owner, supplier_id = _supplier(client)
    supply_product(client, owner, supplier_id, "P1", "S1")
    supply_product(client, owner, supplier_id, "P2", "S2")
    url = f"/api/v1/suppliers/{supplier_id}/products/P1"
    product = ok(client.post(url + "/skus", json={"sku_code": "S1B", "supply_price_fen": 5},
                             headers=owner.headers), 201)
    assert [(s["sku_code"], s["position"]) for s in product["skus"]] == [("S1", 0), ("S1B", 1)]
    assert_problem(client.post(url + "/skus", json={"sku_code": "S2", "supply_price_fen": 5},
                               headers=owner.headers), 409, "SKU_EXISTS")
    product = ok(client.post(url + "/skus/S1B/deactivate", headers=owner.headers))
    assert [s["active"] for s in product["skus"]] == [True, False]
    product = ok(client.post(url + "/skus/S1B/activate", headers=owner.headers))
    assert [s["active"] for s in product["skus"]] == [True, True]
    assert ok(client.post(url + "/deactivate", headers=owner.headers))["active"] is False
    listing = client.get(f"/api/v1/suppliers/{supplier_id}/products",
                         params={"active": "true"}, headers=owner.headers)
    assert [p["spu_code"] for p in ok(listing)["items"]] == ["P2"]
    assert ok(client.post(url + "/activate", headers=owner.headers))["active"] is True


def test_other_accounts_get_404_for_the_catalog(client: TestClient) -> None:
    owner, supplier_id = _supplier(client)
    supply_product(client, owner, supplier_id, "P1", "S1")
    stranger = f.person(client)
    url = f"/api/v1/suppliers/{supplier_id}/products"
    assert_problem(client.get(url, headers=stranger.headers), 404, "SUPPLIER_NOT_FOUND")
    assert_problem(client.get(url + "/P1", headers=stranger.headers), 404, "SUPPLIER_NOT_FOUND")
    assert_problem(client.get("/api/v1/suppliers/SH1234567890/products", headers=owner.headers),
                   404, "SUPPLIER_NOT_FOUND")
    assert_problem(client.get(url), 401, "UNAUTHENTICATED")
