"""A shop with bound suppliers, a small catalog with sources, and order bodies (public API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from tests import factories as f
from tests.api.support import ok
from tests.catalog.helpers import bind, shop_product, supply_product

# The shop's catalog: product TEE (two SKUs) and product MUG (one SKU).
SHOP_SKUS = {"TEE": ["TEE-RED", "TEE-BLUE"], "MUG": ["MUG-1"]}


@dataclass
class Supplier:
    owner: f.Person
    supplier_id: str
    index: int

    def code(self, sku: str) -> str:
        """This supplier's SKU code for a shop SKU."""
        return f"X{self.index}-{sku}"


@dataclass
class World:
    client: TestClient
    platform: f.Person
    merchant: f.Person
    shop_id: str
    suppliers: list[Supplier] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return self.merchant.headers

    def url(self, tail: str = "") -> str:
        return f"/api/v1/shops/{self.shop_id}{tail}"

    def settings(self, mode: str, **body: Any) -> dict[str, Any]:
        response = self.client.put(self.url("/dispatch-settings"), json={"mode": mode, **body},
                                   headers=self.headers)
        return ok(response)  # type: ignore[no-any-return]

    def rule(self, kind: str, key: str, *suppliers: Supplier) -> None:
        ok(self.client.put(self.url(f"/dispatch-rules/{kind}/{key}"),
                           json={"supplier_ids": [s.supplier_id for s in suppliers]},
                           headers=self.headers))

    def post(self, body: dict[str, Any], **headers: str) -> Any:
        return self.client.post(self.url("/orders"), json=body,
                                headers={**self.headers, **headers})

    def order(self, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        return ok(self.post(body), status)  # type: ignore[no-any-return]


def world(client: TestClient, suppliers: int = 2, *, stock: int | None = None,
          tiers: list[dict[str, int]] | None = None) -> World:
    """A merchant's shop bound to `suppliers` active suppliers, each able to ship every SKU
    (supplier i at 1000 + 100·i fen a unit, with `stock` and `tiers` when given)."""
    platform = f.admin(client)
    merchant = f.person(client)
    w = World(client, platform, merchant, f.shop(client, merchant))
    for index in range(1, suppliers + 1):
        owner = f.person(client)
        supplier = Supplier(owner, f.supplier(client, owner, approve_with=platform), index)
        bind(client, merchant, w.shop_id, owner, supplier.supplier_id)
        for spu, skus in SHOP_SKUS.items():
            extra: dict[str, Any] = {}
            body_skus = [{"sku_code": supplier.code(s), "supply_price_fen": 1000 + 100 * index,
                          **({"stock": stock} if stock is not None else {}),
                          **({"price_tiers": tiers} if tiers else {})} for s in skus]
            extra["skus"] = body_skus
            supply_product(client, owner, supplier.supplier_id, f"X{index}-{spu}", **extra)
        w.suppliers.append(supplier)
    for spu, skus in SHOP_SKUS.items():
        shop_product(client, merchant, w.shop_id, spu, [
            {"sku_code": sku, "price_fen": 5900,
             "sources": [{"supplier_id": s.supplier_id, "sku_code": s.code(sku)}
                         for s in w.suppliers]}
            for sku in skus])
    return w


def order_body(external_id: str, *lines: tuple[str, int], paid_at: str | None = None,
               phone: str = "13912345678", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "external_id": external_id,
        "buyer": {"name": "张三", "phone": phone,
                  "address": {"province": "浙江省", "city": "杭州市", "district": "西湖区",
                              "detail": "文三路 90 号"}},
        "lines": [{"sku_code": sku, "quantity": qty, "unit_price_fen": 5900}
                  for sku, qty in (lines or [("TEE-RED", 1)])],
        **extra,
    }
    if paid_at is not None:
        body["paid_at"] = paid_at
    return body


def reasons(order: dict[str, Any]) -> dict[str, Any]:
    """sku_code → [(supplier_id, quantity, reason), ...] or the unassigned reason."""
    out: dict[str, Any] = {}
    for line in order["lines"]:
        out[line["sku_code"]] = [(a["supplier_id"], a["quantity"], a["reason"])
                                 for a in line["assignments"]]
    for line in order["unassigned_lines"]:
        out[line["sku_code"]] = line["reason"]
    return out
