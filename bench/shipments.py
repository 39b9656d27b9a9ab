"""Spreadsheet shipping throughput: rows/s for parse + validate + commit of one big file.

A supplier with 50,000 accepted dispatch orders of two lines each (made with Core bulk inserts,
one shop order each); a 100,000-row CSV in random order, one row per line with SKU and quantity,
the two rows of a dispatch order sharing one parcel (tracking number). Timed: `shipping.upload`
in one unit of work, from the file's bytes to the commit (parsing, the bulk checks against the
database, inserting 50,000 parcels and 100,000 parcel lines, 100,000 conditional line updates,
50,000 dispatch-order and 50,000 shop-order transitions with their events). Then the same file
again (every row `already_shipped`, nothing written).

Printed beside it: the raw rate of the same keyed updates (`UPDATE dispatch_lines SET
shipped_quantity = shipped_quantity + ? WHERE id = ? AND shipped_quantity + ? <= quantity`)
done with plain `sqlite3` executemany on a fresh copy of the seeded database (so every update
really writes a row), in the same run. SQLite uploads run `--repeats` times, each into a fresh
copy, best and median shown; the process's CPU seconds are printed too, a figure that holds
better than wall time on a shared machine. SQLite always; PostgreSQL too when
DAIFA_TEST_POSTGRES_URL (or DAIFA_BENCH_POSTGRES_URL) is set. Target: at least 25,000
rows/s on SQLite.

    .venv/bin/python bench/shipments.py [--rows 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table
from support.databases import postgres_database

from daifa.catalog.models import SupplyProduct, SupplySku
from daifa.config import Settings
from daifa.context import Actor, Ctx, Scope
from daifa.db.engine import make_engine
from daifa.db.migrate import upgrade
from daifa.db.uow import Database
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.fulfilment.reactions import REACTIONS
from daifa.identity import passwords
from daifa.identity import service as identity
from daifa.orders.models import OrderLine, ShopOrder
from daifa.shipping import upload
from daifa.shops import service as shops
from daifa.shops.schemas import ShopIn
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier
from daifa.suppliers.schemas import SupplierIn

TARGET = 25_000
CHUNK = 5_000
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
SKUS = ("BENCH-A", "BENCH-B")


@dataclass
class World:
    db: Database
    settings: Settings
    supplier: Supplier
    numbers: list[str]


def _ctx(db: Database, session: Any, settings: Settings, actor: Actor) -> Ctx:
    return Ctx(reactions=REACTIONS, session=session, actor=actor, settings=settings,
               clock=type("Fixed", (), {"now": staticmethod(lambda: NOW)})())


def set_up(url: str, var_dir: Path, orders: int) -> World:
    upgrade(url)
    settings = Settings(database_url=url, secret_key="bench", var_dir=var_dir,
                        password_profile="cheapest")
    db = Database(make_engine(url))
    with db.unit_of_work() as session:
        ctx = _ctx(db, session, settings, Actor.system("bench"))
        account = identity.signup(ctx, f"bench{uuid.uuid4().hex[:8]}", "bench password 1",
                                  "Bench")
        person = Actor(scope=Scope.PERSON, account_id=account.id, label="bench")
        ctx = _ctx(db, session, settings, person)
        supplier = suppliers.onboard(ctx, SupplierIn(name="压测供应商",
                                                     contact_phone="13812345678"))
        shop = shops.create(ctx, ShopIn(name="压测小店"))
        numbers = _dispatch_orders(ctx, shop.id, supplier.id, orders)
    return World(db, settings, supplier, numbers)


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _insert(ctx: Ctx, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        ctx.session.execute(_table(model).insert(), rows[start:start + CHUNK])


def _dispatch_orders(ctx: Ctx, shop_pk: int, supplier_pk: int, count: int) -> list[str]:
    """`count` shop orders of two lines, each wholly with the supplier and accepted."""
    product = ctx.session.execute(_table(SupplyProduct).insert().returning(
        _table(SupplyProduct).c.id), {"supplier_pk": supplier_pk, "spu_code": "BENCH",
                                      "title": "压测商品", "ship_from_region": "浙江",
                                      "handling_hours": 48, "active": True, "created_at": NOW,
                                      "updated_at": NOW}).scalar_one()
    sku_pks = [ctx.session.execute(_table(SupplySku).insert().returning(_table(SupplySku).c.id),
                                   {"product_pk": product, "supplier_pk": supplier_pk,
                                    "sku_code": sku, "spec": "", "position": i,
                                    "supply_price_fen": 1000, "price_tiers": [], "stock": None,
                                    "active": True, "created_at": NOW, "updated_at": NOW}
                                   ).scalar_one() for i, sku in enumerate(SKUS)]
    first = 1_000_000
    pks = range(first, first + count)
    _insert(ctx, ShopOrder, [
        {"id": pk, "shop_pk": shop_pk, "external_id": f"B{pk}", "status": "assigned",
         "buyer_name": "张三", "buyer_phone": "+8613912345678", "province": "浙江省",
         "city": "杭州市", "district": "西湖区", "address_detail": "文三路 90 号",
         "paid_at": NOW, "ship_by": NOW + timedelta(hours=48), "quantity": 3,
         "assigned_quantity": 3, "dispatch_count": 1, "total_fen": 17700, "channel": "api",
         "routing_version": 0, "created_at": NOW} for pk in pks])
    _insert(ctx, OrderLine, [
        {"id": 2 * pk + i, "order_pk": pk, "line_no": i + 1, "sku_code": sku,
         "quantity": 1 + i, "unit_price_fen": 5900, "shop_sku_pk": None,
         "assigned_quantity": 1 + i} for pk in pks for i, sku in enumerate(SKUS)])
    numbers = [f"DO261125{pk:08d}01" for pk in pks]
    _insert(ctx, DispatchOrder, [
        {"id": pk, "dispatch_order_no": no, "order_pk": pk, "sequence": 1, "shop_pk": shop_pk,
         "supplier_pk": supplier_pk, "status": "accepted", "ship_by": NOW + timedelta(hours=48),
         "accept_by": NOW + timedelta(hours=24), "supply_total_fen": 3000,
         "created_at": NOW, "accepted_at": NOW, "late": False}
        for pk, no in zip(pks, numbers, strict=True)])
    _insert(ctx, DispatchLine, [
        {"id": 2 * pk + i, "dispatch_order_pk": pk, "line_pk": 2 * pk + i,
         "supply_sku_pk": sku_pks[i], "sku_code": sku, "supplier_sku_code": sku,
         "quantity": 1 + i, "supply_price_fen": 1000, "reason": "manual", "routing": {},
         "backup_pks": [], "stock_reserved": False, "shipped_quantity": 0}
        for pk in pks for i, sku in enumerate(SKUS)])
    return numbers


def shipping_file(numbers: list[str], rng: random.Random) -> tuple[bytes, int]:
    rows = [f"{no},ZTO,7{3 + index % 4}{index:012d},{sku},{quantity}"
            for index, no in enumerate(numbers)
            for sku, quantity in zip(SKUS, (1, 2), strict=True)]
    rng.shuffle(rows)
    text_ = "dispatch_order_no,carrier,tracking_no,sku_code,quantity\r\n" + "\r\n".join(rows)
    return text_.encode("utf-8"), len(rows)


def timed_upload(world: World, data: bytes) -> tuple[float, float, upload.Outcome]:
    """Wall-clock seconds, this process's CPU seconds, and the outcome."""
    started, cpu = time.perf_counter(), time.process_time()
    rows = upload.SHIPMENTS.rows(data, "shipments.csv", world.settings)
    with world.db.unit_of_work() as session:
        ctx = _ctx(world.db, session, world.settings, Actor.system("bench"))
        supplier = session.get_one(Supplier, world.supplier.id)
        outcome = upload.ship_rows(ctx, supplier, rows)
    return time.perf_counter() - started, time.process_time() - cpu, outcome


def raw_sqlite_rate(template: Path) -> tuple[float, int]:
    """The same keyed updates with plain sqlite3 executemany, one transaction, on a copy."""
    copy = template.with_name("raw-copy.db")
    shutil.copy(template, copy)
    connection = sqlite3.connect(copy, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    keys = [row[0] for row in connection.execute("SELECT id FROM dispatch_lines")]
    random.Random(7).shuffle(keys)
    params = [(1, key, 1) for key in keys]
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany("UPDATE dispatch_lines SET shipped_quantity = shipped_quantity + ? "
                           "WHERE id = ? AND shipped_quantity + ? <= quantity", params)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    copy.unlink()
    return len(params) / elapsed, len(params)


Run = tuple[float, float, upload.Outcome]


def report(name: str, rows: int, runs: list[Run]) -> float:
    for _, _, outcome in runs:
        shipped = outcome.count("shipped")
        assert shipped == rows, f"only {shipped} of {rows} rows shipped"
    walls = sorted(wall for wall, _, _ in runs)
    best_wall, best_cpu, outcome = min(runs, key=lambda run: run[0])
    rate = rows / best_wall
    print(f"  {name}: upload {rate:,.0f} rows/s, best of {len(runs)} (median "
          f"{rows / statistics.median(walls):,.0f}); {best_wall:.2f} s for {rows:,} rows: "
          f"parse, validate, {outcome.dispatch_orders:,} dispatch orders shipped, commit; "
          f"{best_cpu:.2f} s CPU in this process")
    return rate


def again(world: World, data: bytes, rows: int, name: str) -> None:
    wall, cpu, outcome = timed_upload(world, data)
    assert outcome.count("already_shipped") == rows
    print(f"  {name}: same file again {rows / wall:,.0f} rows/s ({wall:.2f} s, every row "
          f"already_shipped, nothing written; {cpu:.2f} s CPU)")


def run_sqlite(tmp: Path, rows_wanted: int, repeats: int) -> tuple[float, Path]:
    """Seed once, then upload into fresh copies of the seeded file."""
    started = time.perf_counter()
    template = tmp / "template.db"
    world = set_up(f"sqlite:///{template}", tmp, rows_wanted // 2)
    world.db.dispose()
    data, rows = shipping_file(world.numbers, random.Random(42))
    print(f"  SQLite: {len(world.numbers):,} dispatch orders seeded in "
          f"{time.perf_counter() - started:.1f} s; file {len(data) / 1e6:.1f} MB, {rows:,} rows")
    runs = []
    for index in range(repeats):
        copy = tmp / f"run-{index}.db"
        shutil.copy(template, copy)
        world.db = Database(make_engine(f"sqlite:///{copy}"))
        runs.append(timed_upload(world, data))
        if index < repeats - 1:
            world.db.dispose()
    rate = report("SQLite", rows, runs)
    again(world, data, rows, "SQLite")
    world.db.dispose()
    return rate, template


def run_postgres(url: str, tmp: Path, rows_wanted: int) -> float:
    started = time.perf_counter()
    world = set_up(url, tmp, rows_wanted // 2)
    data, rows = shipping_file(world.numbers, random.Random(42))
    print(f"  PostgreSQL: {len(world.numbers):,} dispatch orders seeded in "
          f"{time.perf_counter() - started:.1f} s")
    rate = report("PostgreSQL", rows, [timed_upload(world, data)])
    again(world, data, rows, "PostgreSQL")
    world.db.dispose()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3,
                        help="SQLite uploads, each into a fresh copy of the seeded database")
    args = parser.parse_args()
    passwords.use_profile("cheapest")
    print(f"shipping spreadsheet: {args.rows:,} rows in random order, two rows per parcel "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_rate, template = run_sqlite(Path(tmp), args.rows, args.repeats)
        raw, keyed = max(raw_sqlite_rate(template) for _ in range(3))
        print(f"  SQLite: raw keyed updates with plain sqlite3: {raw:,.0f} rows/s, best of 3 "
              f"({keyed:,} rows, executemany, one transaction); upload = "
              f"{sqlite_rate / raw:.1%} of raw")
        postgres = os.environ.get("DAIFA_BENCH_POSTGRES_URL") or os.environ.get(
            "DAIFA_TEST_POSTGRES_URL")
        if postgres:
            with postgres_database(postgres) as url:
                run_postgres(url, Path(tmp), args.rows)
        else:
            print("  PostgreSQL: skipped (set DAIFA_TEST_POSTGRES_URL)")
    verdict = "meets" if sqlite_rate >= TARGET else "MISSES"
    print(f"SQLite {sqlite_rate:,.0f} rows/s {verdict} the target of {TARGET:,} rows/s "
          f"(load average {os.getloadavg()[0]:.1f} at the end)")


if __name__ == "__main__":
    main()
