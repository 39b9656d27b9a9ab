"""Product and SKU codes are per organisation: another tenant's codes under one's own shop or
supplier answer exactly like codes that exist nowhere."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests import factories as f
from tests.api.support import assert_problem, ok
from tests.catalog.helpers import shop_product, supply_product


def test_foreign_codes_are_404_like_missing_ones(client: TestClient) -> None:
    merchant_a, shop_a, owner_a, supplier_a = f.bound_pair(client)
    supply_product(client, owner_a, supplier_a, "A-SPU", "A-SKU")
    shop_product(client, merchant_a, shop_a, "A-SHOP-SPU",
                 [{"sku_code": "A-SHOP-SKU", "price_fen": 1,
                   "sources": [{"supplier_id": supplier_a, "sku_code": "A-SKU"}]}])
    ok(client.put(f"/api/v1/shops/{shop_a}/dispatch-rules/skus/A-SHOP-SKU",
                  json={"supplier_ids": [supplier_a]}, headers=merchant_a.headers))
    b = f.person(client)
    shop_b, supplier_b = f.shop(client, b), f.supplier(client, b)
    shop_product(client, b, shop_b, "B-SPU", [{"sku_code": "B-SKU", "price_fen": 1}])
    supply_product(client, b, supplier_b, "B-SPU", "B-SKU")
    calls = [
        ("GET", f"/api/v1/suppliers/{supplier_b}/products/{{spu}}", None),
        ("PATCH", f"/api/v1/suppliers/{supplier_b}/products/B-SPU/skus/{{sku}}", {"stock": 1}),
        ("POST", f"/api/v1/suppliers/{supplier_b}/products/{{spu}}/deactivate", None),
        ("GET", f"/api/v1/shops/{shop_b}/products/{{shop_spu}}", None),
        ("PATCH", f"/api/v1/shops/{shop_b}/products/B-SPU/skus/{{shop_sku}}", {"price_fen": 1}),
        ("PUT", f"/api/v1/shops/{shop_b}/dispatch-rules/skus/{{shop_sku}}",
         {"supplier_ids": [supplier_b]}),
        ("DELETE", f"/api/v1/shops/{shop_b}/dispatch-rules/skus/{{shop_sku}}", None),
    ]
    foreign = {"spu": "A-SPU", "sku": "A-SKU", "shop_spu": "A-SHOP-SPU",
               "shop_sku": "A-SHOP-SKU"}
    missing = {name: "NOWHERE" for name in foreign}
    for method, template, body in calls:
        first = client.request(method, template.format(**foreign), json=body, headers=b.headers)
        second = client.request(method, template.format(**missing), json=body, headers=b.headers)
        assert first.status_code == 404, (method, template, first.text)
        one, other = first.json(), second.json()
        for value in foreign.values():  # the detail and the params echo what was asked for
            one = {k: v.replace(value, "NOWHERE") if isinstance(v, str) and k != "instance"
                   else v for k, v in one.items()}
        assert {**one, "instance": ""} == {**other, "instance": ""}
    assert_problem(client.put(f"/api/v1/shops/{shop_b}/products/B-SPU/skus/B-SKU/sources",
                              json={"sources": [{"supplier_id": supplier_a,
                                                 "sku_code": "A-SKU"}]},
                              headers=b.headers), 422, "SUPPLIER_NOT_BOUND")
    rules_b = ok(client.get(f"/api/v1/shops/{shop_b}/dispatch-rules", headers=b.headers))
    assert rules_b["items"] == []
