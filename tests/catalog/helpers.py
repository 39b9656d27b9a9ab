"""Shared makers for catalog and dispatch-settings tests (through the public API)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests import factories as f
from tests.api.support import ok


def supply_product(client: TestClient, owner: f.Person, supplier_id: str, spu_code: str,
                   *skus: str, price: int = 1000, **extra: Any) -> dict[str, Any]:
    body = {"spu_code": spu_code, "title": f"商品 {spu_code}",
            "skus": [{"sku_code": code, "supply_price_fen": price} for code in skus], **extra}
    return ok(client.post(f"/api/v1/suppliers/{supplier_id}/products", json=body,
                          headers=owner.headers), 201)  # type: ignore[no-any-return]


def shop_product(client: TestClient, merchant: f.Person, shop_id: str, spu_code: str,
                 skus: list[dict[str, Any]]) -> dict[str, Any]:
    body = {"spu_code": spu_code, "title": f"小店 {spu_code}", "skus": skus}
    return ok(client.post(f"/api/v1/shops/{shop_id}/products", json=body,
                          headers=merchant.headers), 201)  # type: ignore[no-any-return]


def bind(client: TestClient, merchant: f.Person, shop_id: str, owner: f.Person,
         supplier_id: str) -> None:
    token = f.invitation(client, merchant, shop_id)["token"]
    ok(client.post(f"/api/v1/invitations/{token}/accept", json={"supplier_id": supplier_id},
                   headers=owner.headers))


def second_supplier(client: TestClient, merchant: f.Person, shop_id: str,
                    platform: f.Person) -> tuple[f.Person, str]:
    owner = f.person(client)
    supplier_id = f.supplier(client, owner, approve_with=platform)
    bind(client, merchant, shop_id, owner, supplier_id)
    return owner, supplier_id
