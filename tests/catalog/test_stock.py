"""Stock reservation: one conditional UPDATE, never negative, under concurrent threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.catalog import service as catalog
from daifa.catalog.models import SupplySku
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from tests import factories as f


def _sku(client: TestClient, db: Database, stock: int | None) -> int:
    owner = f.person(client)
    supplier_id = f.supplier(client, owner)
    sku: dict[str, object] = {"sku_code": "S1", "supply_price_fen": 100}
    if stock is not None:
        sku["stock"] = stock
    response = client.post(f"/api/v1/suppliers/{supplier_id}/products",
                           json={"spu_code": "P", "title": "x", "skus": [sku]},
                           headers=owner.headers)
    assert response.status_code == 201, response.text
    with db.unit_of_work(write=False) as session:
        pk: int = session.scalars(select(SupplySku.id)).one()
    return pk


def _stock(db: Database, pk: int) -> int | None:
    with db.unit_of_work(write=False) as session:
        return session.scalar(select(SupplySku.stock).where(SupplySku.id == pk))


def _reserve(db: Database, settings: Settings, pk: int, quantity: int) -> bool:
    with db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=settings)
        return catalog.reserve_stock(ctx, pk, quantity)


def _release(db: Database, settings: Settings, pk: int, quantity: int) -> None:
    with db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=settings)
        catalog.release_stock(ctx, pk, quantity)


@pytest.mark.parametrize(("stock", "quantity", "attempts", "winners", "left"), [
    (10, 1, 24, 10, 0),
    (10, 3, 16, 3, 1),
    (5, 7, 8, 0, 5),
])
def test_concurrent_reservations_never_drive_stock_negative(
        client: TestClient, db: Database, settings: Settings, stock: int, quantity: int,
        attempts: int, winners: int, left: int) -> None:
    pk = _sku(client, db, stock)
    start = threading.Barrier(8)

    def attempt(_: int) -> bool:
        start.wait()
        return _reserve(db, settings, pk, quantity)

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(attempts)))
    assert outcomes.count(True) == winners
    assert _stock(db, pk) == left


def test_release_gives_back_what_was_reserved(
        client: TestClient, db: Database, settings: Settings) -> None:
    pk = _sku(client, db, 2)
    assert _reserve(db, settings, pk, 2) is True
    assert _reserve(db, settings, pk, 1) is False
    _release(db, settings, pk, 2)
    assert _stock(db, pk) == 2
    assert _reserve(db, settings, pk, 1) is True
    assert _stock(db, pk) == 1


def test_untracked_stock(client: TestClient, db: Database, settings: Settings) -> None:
    pk = _sku(client, db, None)
    assert _reserve(db, settings, pk, 1000) is True
    _release(db, settings, pk, 5)
    assert _stock(db, pk) is None


def test_unknown_sku_and_bad_quantity(client: TestClient, db: Database,
                                      settings: Settings) -> None:
    assert _reserve(db, settings, 999_999, 1) is False
    with pytest.raises(ValueError):
        _reserve(db, settings, 1, 0)
    with pytest.raises(ValueError):
        _release(db, settings, 1, -1)
