"""Long writes yield: a batch commits chunk by chunk and, on SQLite, lets the writers that are
waiting for the process's write turn go before its next chunk."""

from __future__ import annotations

import threading
import time

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from daifa.catalog.models import SupplySku
from daifa.db.uow import Database, Turn
from daifa.fulfilment import ingest
from daifa.orders.models import ShopOrder
from tests import factories


def test_a_waiting_writer_goes_before_the_holder_continues() -> None:
    turn, order, holding = Turn(), [], threading.Event()

    def holder() -> None:
        turn.acquire()
        turn.acquire()  # re-entrant, as nested units of work are
        holding.set()
        while not turn._queue:  # the other writer has asked
            time.sleep(0.001)
        order.append("holder chunk 1")
        turn.pass_on()
        order.append("holder chunk 2")
        turn.release()
        turn.release()

    def waiter() -> None:
        holding.wait()
        turn.acquire()
        order.append("waiter")
        turn.release()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert order == ["holder chunk 1", "waiter", "holder chunk 2"]
    turn.acquire()  # free again, depth back to zero
    turn.release()


def test_passing_on_with_nobody_waiting_keeps_the_turn() -> None:
    turn = Turn()
    turn.acquire()
    turn.pass_on()
    assert turn._owner == threading.get_ident() and turn._depth == 1
    turn.release()


def test_a_checkpoint_commits_outside_a_savepoint_and_not_inside(db: Database) -> None:
    with db.unit_of_work() as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS cp_probe (n INTEGER)"))
        session.execute(text("DELETE FROM cp_probe"))
    try:
        failed = False
        try:
            with db.unit_of_work() as session:
                session.execute(text("INSERT INTO cp_probe VALUES (1)"))
                nested = session.begin_nested()
                session.execute(text("INSERT INTO cp_probe VALUES (2)"))
                db.checkpoint(session)  # inside a savepoint (a dry run): nothing committed
                nested.rollback()
                db.checkpoint(session)  # the 1 is committed here
                raise RuntimeError("the rest of the work fails")
        except RuntimeError:
            failed = True
        assert failed
        with db.unit_of_work(write=False) as session:
            assert session.execute(text("SELECT n FROM cp_probe")).scalars().all() == [1]
    finally:
        with db.unit_of_work() as session:
            session.execute(text("DROP TABLE cp_probe"))


def test_a_big_batch_is_landed_in_checkpointed_chunks(client: TestClient, db: Database) -> None:
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    orders = [{"external_id": f"C-{n}", "buyer": {
        "name": "张三", "phone": "13912345678",
        "address": {"province": "浙江省", "city": "杭州市", "district": "西湖区",
                    "detail": "文三路 90 号"}},
        "lines": [{"sku_code": f"SKU-{k}", "quantity": 1, "unit_price_fen": 100}
                  for k in range(3)]} for n in range(400)]
    commits = []
    original = db.checkpoint

    def counted(session: object) -> None:
        with db.unit_of_work(write=False) as other:  # what another request sees meanwhile
            commits.append(other.scalar(select(func.count()).select_from(ShopOrder)))
        original(session)  # type: ignore[arg-type]

    db.checkpoint = counted  # type: ignore[method-assign]
    try:
        response = client.post(f"/api/v1/shops/{shop_id}/orders:batch",
                               headers=merchant.headers, json={"orders": orders})
    finally:
        del db.checkpoint
    assert response.status_code == 200, response.text
    assert all(item["created"] for item in response.json()["items"])
    per_chunk = ingest.CHUNK_LINES // 3
    assert len(commits) == -(-400 // per_chunk)
    assert commits == [min(n * per_chunk, 400) for n in range(len(commits))]  # earlier chunks


def test_a_big_product_file_lands_in_chunks_and_again_changes_nothing(
        client: TestClient, db: Database) -> None:
    _, _, owner, supplier_id = factories.bound_pair(client)
    rows = ["spu_code,title,sku_code,supply_price_fen,stock"] + [
        f"P{n // 3},商品{n // 3},S{n},{100 + n},5" for n in range(4500)]
    data = ("\n".join(rows) + "\n").encode()
    landed = []
    original = db.checkpoint

    def counted(session: object) -> None:
        original(session)  # type: ignore[arg-type]
        with db.unit_of_work(write=False) as other:
            landed.append(other.scalar(select(func.count()).select_from(SupplySku)))

    db.checkpoint = counted  # type: ignore[method-assign]
    try:
        url = f"/api/v1/suppliers/{supplier_id}/products:import"
        first = client.post(url, headers=owner.headers,
                            files={"file": ("products.csv", data, "text/csv")})
    finally:
        del db.checkpoint
    assert first.status_code == 200, first.text
    assert first.json()["summary"]["created"] == 4500
    assert landed == [2000, 4000]  # committed as it went, seen by others
    again = client.post(url, headers=owner.headers,
                        files={"file": ("products.csv", data, "text/csv")})
    assert again.json()["summary"]["unchanged"] == 4500


def test_a_dry_run_of_a_big_order_file_lets_writers_in_and_keeps_nothing(
        client: TestClient, db: Database) -> None:
    from tests.orders.helpers import world

    w = world(client, suppliers=1)
    header = ("external_id,buyer_name,buyer_phone,province,city,district,address_detail,"
              "sku_code,quantity,unit_price")
    rows = [f"DRY-{n},张三,13912345678,浙江省,杭州市,西湖区,文三路 90 号,TEE-RED,1,59.00"
            for n in range(250)]
    data = ("\n".join([header, *rows]) + "\n").encode()
    turns = []
    original = db.checkpoint

    def counted(session: object) -> None:
        turns.append(1)
        original(session)  # type: ignore[arg-type]

    db.checkpoint = counted  # type: ignore[method-assign]
    try:
        preview = client.post(w.url("/orders:import"), params={"dry_run": "true"},
                              headers=w.headers,
                              files={"file": ("orders.csv", data, "text/csv")})
    finally:
        del db.checkpoint
    assert preview.status_code == 200, preview.text
    assert preview.json()["summary"]["orders_created"] == 250
    assert len(turns) == 3  # one per chunk of 100 orders
    with db.unit_of_work(write=False) as session:
        assert session.scalar(select(func.count()).select_from(ShopOrder)) == 0
