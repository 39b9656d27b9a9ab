"""Concurrent creates of one code make one product; list queries do not grow with page size."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from daifa.catalog import service as catalog
from daifa.catalog.errors import ProductExists, SkuExists
from daifa.catalog.models import SupplyProduct, SupplySku
from daifa.catalog.schemas import SupplyProductIn
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from daifa.suppliers.models import Supplier
from tests import factories as f
from tests.api.support import ok
from tests.catalog.helpers import shop_product, supply_product

THREADS = 6


def test_concurrent_publishes_of_one_spu_make_one_product(client: TestClient, db: Database,
                                                          settings: Settings) -> None:
    owner = f.person(client)
    supplier_id = f.supplier(client, owner)
    start = threading.Barrier(THREADS)
    body = SupplyProductIn.model_validate(
        {"spu_code": "P", "title": "x", "skus": [{"sku_code": "S", "supply_price_fen": 1}]})

    def publish(_: int) -> str:
        start.wait()
        try:
            with db.unit_of_work() as session:
                ctx = Ctx(reactions=REACTIONS,
                          session=session, actor=Actor.system("test"), settings=settings)
                supplier = session.scalars(
                    select(Supplier).where(Supplier.supplier_id == supplier_id)).one()
                catalog.create_product(ctx, supplier, body)
            return "created"
        except (ProductExists, SkuExists) as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = list(pool.map(publish, range(THREADS)))
    assert outcomes.count("created") == 1
    assert set(outcomes) <= {"created", "PRODUCT_EXISTS", "SKU_EXISTS"}
    with db.unit_of_work(write=False) as session:
        assert session.scalar(select(func.count()).select_from(SupplyProduct)) == 1
        assert session.scalar(select(func.count()).select_from(SupplySku)) == 1


@contextmanager
def counting(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _selects(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT"))


def test_list_queries_do_not_grow_with_page_size(client: TestClient, db: Database) -> None:
    merchant, shop_id, owner, supplier_id = f.bound_pair(client)
    for i in range(12):
        supply_product(client, owner, supplier_id, f"P{i}", f"S{i}-1", f"S{i}-2")
        shop_product(client, merchant, shop_id, f"P{i}", [
            {"sku_code": f"K{i}", "price_fen": 1,
             "sources": [{"supplier_id": supplier_id, "sku_code": f"S{i}-1"}]}])
    counts = []
    for limit in (2, 12):
        with counting(db) as supply_statements:
            ok(client.get(f"/api/v1/suppliers/{supplier_id}/products", params={"limit": limit},
                          headers=owner.headers))
        with counting(db) as shop_statements:
            page = ok(client.get(f"/api/v1/shops/{shop_id}/products", params={"limit": limit},
                                 headers=merchant.headers))
        assert len(page["items"]) == limit
        counts.append((_selects(supply_statements), _selects(shop_statements)))
    assert counts[0] == counts[1], counts


def test_a_supplier_api_key_manages_the_catalog(client: TestClient) -> None:
    owner = f.person(client)
    supplier_id = f.supplier(client, owner)
    key = ok(client.post(f"/api/v1/suppliers/{supplier_id}/api-keys", headers=owner.headers),
             201)["key"]
    body = {"spu_code": "P", "title": "x", "skus": [{"sku_code": "S", "supply_price_fen": 1}]}
    ok(client.post(f"/api/v1/suppliers/{supplier_id}/products", json=body,
                   headers=f.auth(key)), 201)
    listing = ok(client.get(f"/api/v1/suppliers/{supplier_id}/products", headers=f.auth(key)))
    assert [p["spu_code"] for p in listing["items"]] == ["P"]
