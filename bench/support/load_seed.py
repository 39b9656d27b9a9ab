"""The world of bench/load.py: shops and suppliers bound together, catalogs, dispatch rules,
API keys, and orders already there (some of their dispatch orders accepted and shipped), made
through the API in process (as bench/ingest.py does) before the server starts."""

from __future__ import annotations

import random
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from daifa.app import create_app
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.engine import make_engine
from daifa.db.migrate import upgrade
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from daifa.identity import passwords
from daifa.identity import service as identity

PASSWORD = "load password 1"
PRODUCTS = 5
SKUS_PER_PRODUCT = 4
ADDRESS = {"province": "浙江省", "city": "杭州市", "district": "西湖区", "detail": "文三路 90 号"}


@dataclass
class World:
    shops: list[dict[str, Any]] = field(default_factory=list)
    suppliers: list[dict[str, Any]] = field(default_factory=list)
    to_ship: list[list[str]] = field(default_factory=list)  # [dispatch_order_no, supplier_id]
    dispatch: list[list[str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def ok(response: Any, status: int | None = None) -> Any:
    if response.status_code >= 300 or (status and response.status_code != status):
        raise SystemExit(f"seeding failed: {response.status_code} {response.text[:400]}")
    return response.json()


def person(client: TestClient, login: str) -> dict[str, str]:
    ok(client.post("/api/v1/auth/signup", json={"login": login, "password": PASSWORD,
                                                "display_name": login}))
    token = ok(client.post("/api/v1/auth/token", json={"login": login, "password": PASSWORD}))
    return {"Authorization": f"Bearer {token['access_token']}"}


def order_body(skus: list[str], rng: random.Random) -> dict[str, Any]:
    return {"external_id": f"seed-{secrets.token_hex(8)}",
            "buyer": {"name": "张三", "phone": f"139{rng.randrange(10**8):08d}",
                      "address": ADDRESS},
            "lines": [{"sku_code": sku, "quantity": rng.randint(1, 3), "unit_price_fen": 5900}
                      for sku in rng.sample(skus, 2)]}


def make_supplier(client: TestClient, admin: dict[str, str], n: int,
                  rng: random.Random) -> tuple[dict[str, Any], dict[str, str]]:
    owner = person(client, f"loadsupplier{n}")
    sid = ok(client.post("/api/v1/suppliers", headers=owner, json={
        "name": f"供应商{n}", "contact_phone": "13812345678"}))["supplier_id"]
    ok(client.post(f"/api/v1/admin/suppliers/{sid}/approve", headers=admin))
    for p in range(PRODUCTS):
        skus = [{"sku_code": f"S{n}-P{p}-{k}", "supply_price_fen": rng.randint(500, 3000),
                 **({"stock": 10_000_000} if k % 2 else {})} for k in range(SKUS_PER_PRODUCT)]
        ok(client.post(f"/api/v1/suppliers/{sid}/products", headers=owner,
                       json={"spu_code": f"S{n}-P{p}", "title": f"货品{p}", "skus": skus}))
    key = ok(client.post(f"/api/v1/suppliers/{sid}/api-keys", headers=owner))["key"]
    return {"supplier_id": sid, "key": key}, owner


def make_shop(client: TestClient, n: int, suppliers: list[tuple[dict[str, Any], dict[str, str]]],
              rng: random.Random) -> dict[str, Any]:
    merchant = person(client, f"loadmerchant{n}")
    shop_id = ok(client.post("/api/v1/shops", headers=merchant, json={"name": f"店{n}"}))["shop_id"]
    base = f"/api/v1/shops/{shop_id}"
    for supplier, owner in suppliers:
        token = ok(client.post(f"{base}/invitations", headers=merchant))["token"]
        ok(client.post(f"/api/v1/invitations/{token}/accept", headers=owner,
                       json={"supplier_id": supplier["supplier_id"]}))
    ids = [s["supplier_id"] for s, _ in suppliers]
    skus: list[str] = []
    for p in range(PRODUCTS):
        codes = [f"P{p}-{k}" for k in range(SKUS_PER_PRODUCT)]
        skus += codes
        ok(client.post(f"{base}/products", headers=merchant, json={
            "spu_code": f"P{p}", "title": f"商品{p}", "skus": [
                {"sku_code": code, "price_fen": 5900,
                 "sources": [{"supplier_id": sid, "sku_code": f"S{i}-{code}"}
                             for i, sid in enumerate(ids)]} for code in codes]}))
        ok(client.put(f"{base}/dispatch-rules/products/P{p}", headers=merchant,
                      json={"supplier_ids": rng.sample(ids, 2)}))
    ok(client.put(f"{base}/dispatch-settings", headers=merchant, json={"mode": "by_product"}))
    key = ok(client.post(f"{base}/api-keys", headers=merchant))["key"]
    return {"shop_id": shop_id, "key": key, "skus": skus, "order_ids": []}


def place_orders(client: TestClient, shop: dict[str, Any], count: int,
                 rng: random.Random) -> None:
    headers = {"Authorization": f"Bearer {shop['key']}"}
    body = {"orders": [order_body(shop["skus"], rng) for _ in range(count)]}
    items = ok(client.post(f"/api/v1/shops/{shop['shop_id']}/orders:batch", headers=headers,
                           json=body))["items"]
    shop["order_ids"] = [item["order_id"] for item in items if "order_id" in item]


def ship_some(client: TestClient, world: World, rng: random.Random) -> None:
    """List every supplier's dispatch orders; accept and ship a third, keep the rest to ship."""
    for supplier in world.suppliers:
        headers = {"Authorization": f"Bearer {supplier['key']}"}
        sid = supplier["supplier_id"]
        listed = ok(client.get(f"/api/v1/suppliers/{sid}/dispatch-orders?limit=200",
                               headers=headers))["items"]
        for n, item in enumerate(listed):
            no = item["dispatch_order_no"]
            world.dispatch.append([no, sid])
            if n % 3:
                world.to_ship.append([no, sid])
                continue
            ok(client.post(f"/api/v1/dispatch-orders/{no}/accept", headers=headers))
            ok(client.post(f"/api/v1/dispatch-orders/{no}/ship", headers=headers, json={
                "carrier": "SF", "tracking_no": f"SF{rng.randrange(10**13):013d}"}))
    rng.shuffle(world.to_ship)


def seed(url: str, var_dir: Path, *, shops: int, suppliers: int, orders: int) -> World:
    """Migrate `url` and make the world through the API in process."""
    upgrade(url)
    # Seeding runs faster than any tenant may (the served run keeps the limits: 429 counts as
    # an intended answer).
    settings = Settings(database_url=url, secret_key="load-secret", var_dir=var_dir,
                        password_profile="cheapest", rate_limit_per_second=0)
    passwords.use_profile("cheapest")
    db = Database(make_engine(url))
    with db.unit_of_work() as session:
        identity.signup(Ctx(reactions=REACTIONS, session=session,
                            actor=Actor.system("bench"), settings=settings),
                        "loadadmin", PASSWORD, "Admin", is_admin=True)
    rng = random.Random(3)
    world = World()
    with TestClient(create_app(settings, database=db)) as client:
        token = ok(client.post("/api/v1/auth/token",
                               json={"login": "loadadmin", "password": PASSWORD}))
        admin = {"Authorization": f"Bearer {token['access_token']}"}
        made = [make_supplier(client, admin, n, rng) for n in range(suppliers)]
        world.suppliers = [supplier for supplier, _ in made]
        for n in range(shops):
            shop = make_shop(client, n, made, rng)
            place_orders(client, shop, orders, rng)
            world.shops.append(shop)
        ship_some(client, world, rng)
    db.dispose()
    return world
