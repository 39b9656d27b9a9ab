"""Concurrent changes to one shop's rules each get their own settings version."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from daifa.routing import settings as dispatch
from daifa.routing.models import DispatchSettings
from daifa.routing.schemas import DispatchRuleIn
from daifa.routing.states import RuleKind
from daifa.shops.models import Shop
from tests import factories as f
from tests.catalog.helpers import shop_product

THREADS = 6


def test_concurrent_rule_changes_bump_the_version_once_each(
        client: TestClient, db: Database, settings: Settings) -> None:
    merchant, shop_id, _, supplier_id = f.bound_pair(client)
    shop_product(client, merchant, shop_id, "P",
                 [{"sku_code": f"K{i}", "price_fen": 1} for i in range(THREADS)])
    start = threading.Barrier(THREADS)

    def put(i: int) -> int:
        start.wait()
        with db.unit_of_work() as session:
            ctx = Ctx(reactions=REACTIONS,
                      session=session, actor=Actor.system("test"), settings=settings)
            shop = session.scalars(select(Shop).where(Shop.shop_id == shop_id)).one()
            dispatch.put_rule(ctx, shop, RuleKind.SKU, f"K{i}",
                              DispatchRuleIn(supplier_ids=[supplier_id]))
            row = session.get(DispatchSettings, shop.id)
            assert row is not None
            return row.version

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        versions = list(pool.map(put, range(THREADS)))
    assert sorted(versions) == list(range(1, THREADS + 1))
    with db.unit_of_work(write=False) as session:
        assert session.scalars(select(DispatchSettings.version)).one() == THREADS
