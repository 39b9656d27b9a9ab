"""Order ingestion: orders/s through `orders:batch`, single-order POST latency, raw SQLite, and
the peer django-oscar.

Against a real `uvicorn` (one worker) on 127.0.0.1, for a shop in `by_product` mode with 200
SKUs in 20 products, 5 bound suppliers, a product rule (first choice + two backups) on every
product and SKU rules on 30 % of the SKUs; half the supplier SKUs track stock.

1. `orders:batch`: batches of 1,000 orders of 3 lines, one after another (SQLite, and
   PostgreSQL when DAIFA_BENCH_POSTGRES_URL or DAIFA_TEST_POSTGRES_URL is set).
2. Single `POST /orders` from 16 connections for `--single-seconds`, driven by `wrk` with a Lua
   script that gives every request its own external id and Idempotency-Key (a C client: on two
   cores a Python one takes half the machine); orders/s, p50, p99. Without wrk, `--single`
   orders from 16 httpx threads instead.
3. SQL statements per routed order: one POST /orders through the app in process, counted with
   a `before_cursor_execute` listener (with an Idempotency-Key and without).
4. The raw rate: the same rows per order (order, lines, dispatch orders, dispatch lines,
   events) inserted with plain `sqlite3` into the same schema, one commit per order; and the
   batch figure as a share of it.
5. The peer: django-oscar (bench/support/oscar_peer.py, in a virtualenv of its own under
   ~/.cache/daifa-bench, built on first use; skipped with a message without a network) places
   two-partner orders in process through OrderCreator.place_order, as its checkout does.

Targets: batch ≥ 50 % of raw; single ≥ 1,000/s with p99 ≤ 100 ms on SQLite; single POST
orders/s ≥ 12× Oscar's; ≤ 12 SQL statements per routed order.

    .venv/bin/python bench/ingest.py [--batches 10] [--single-seconds 10] [--clients 16]
                                     [--oscar-orders 500] [--no-peer]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
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

sys.path.insert(0, str(Path(__file__).parent))
from support import oscar_peer, statements, wrk
from support.databases import postgres_database
from support.raw_sqlite import RAW_CHUNK, raw_sqlite, rows_per_order

PRODUCTS = 20
SKUS_PER_PRODUCT = 10
SUPPLIERS = 5
PASSWORD = "bench password 1"
PHONES = ["139" + f"{n:08d}" for n in range(0, 10_000_000, 7919)]


@dataclass
class Shop:
    base: str
    headers: dict[str, str]
    skus: list[str]


def _auth(client: TestClient, login: str) -> dict[str, str]:
    client.post("/api/v1/auth/signup", json={"login": login, "password": PASSWORD,
                                             "display_name": login})
    token = client.post("/api/v1/auth/token", json={"login": login, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 300:
        raise SystemExit(f"set-up failed: {response.status_code} {response.text}")
    return response.json()


def _suppliers(client: TestClient, admin: dict[str, str], shop_id: str,
               merchant: dict[str, str], rng: random.Random) -> list[str]:
    supplier_ids = []
    for n in range(SUPPLIERS):
        owner = _auth(client, f"supplier{n}")
        sid = _ok(client.post("/api/v1/suppliers", headers=owner, json={
            "name": f"供应商{n}", "contact_phone": "13812345678"}))["supplier_id"]
        _ok(client.post(f"/api/v1/admin/suppliers/{sid}/approve", headers=admin))
        token = _ok(client.post(f"/api/v1/shops/{shop_id}/invitations", headers=merchant))
        _ok(client.post(f"/api/v1/invitations/{token['token']}/accept", headers=owner,
                        json={"supplier_id": sid}))
        for p in range(PRODUCTS):
            skus = [{"sku_code": f"S{n}-P{p}-{k}", "supply_price_fen": rng.randint(500, 5000),
                     **({"stock": 10_000_000} if k % 2 else {})}
                    for k in range(SKUS_PER_PRODUCT)]
            _ok(client.post(f"/api/v1/suppliers/{sid}/products", headers=owner, json={
                "spu_code": f"S{n}-P{p}", "title": f"P{p}", "skus": skus}))
        supplier_ids.append(sid)
    return supplier_ids


def set_up(url: str, var_dir: Path) -> tuple[Settings, Shop]:
    """Migrate, then make the shop, suppliers, catalog and rules through the API in-process."""
    upgrade(url)
    # What the hub can take, not what one tenant is allowed: the rate limit is off.
    settings = Settings(database_url=url, secret_key="bench-secret", var_dir=var_dir,
                        password_profile="cheapest", rate_limit_per_second=0)
    passwords.use_profile("cheapest")
    db = Database(make_engine(url))
    with db.unit_of_work() as session:
        identity.signup(Ctx(reactions=REACTIONS,
                            session=session, actor=Actor.system("bench"), settings=settings),
                        "benchadmin", PASSWORD, "Admin", is_admin=True)
    rng = random.Random(7)
    with TestClient(create_app(settings, database=db)) as client:
        token = client.post("/api/v1/auth/token",
                            json={"login": "benchadmin", "password": PASSWORD})
        admin = {"Authorization": f"Bearer {token.json()['access_token']}"}
        merchant = _auth(client, "merchant")
        shop_id = _ok(client.post("/api/v1/shops", headers=merchant, json={"name": "店"}))[
            "shop_id"]
        suppliers = _suppliers(client, admin, shop_id, merchant, rng)
        skus = _shop_catalog(client, shop_id, merchant, suppliers, rng)
        key = _ok(client.post(f"/api/v1/shops/{shop_id}/api-keys", headers=merchant))["key"]
    db.dispose()
    return settings, Shop(f"/api/v1/shops/{shop_id}", {"Authorization": f"Bearer {key}"}, skus)


def _shop_catalog(client: TestClient, shop_id: str, merchant: dict[str, str],
                  suppliers: list[str], rng: random.Random) -> list[str]:
    skus: list[str] = []
    for p in range(PRODUCTS):
        body_skus = []
        for k in range(SKUS_PER_PRODUCT):
            code = f"P{p}-{k}"
            skus.append(code)
            body_skus.append({"sku_code": code, "price_fen": 9900, "sources": [
                {"supplier_id": sid, "sku_code": f"S{n}-P{p}-{k}"}
                for n, sid in enumerate(suppliers)]})
        _ok(client.post(f"/api/v1/shops/{shop_id}/products", headers=merchant,
                        json={"spu_code": f"P{p}", "title": f"商品{p}", "skus": body_skus}))
        _ok(client.put(f"/api/v1/shops/{shop_id}/dispatch-rules/products/P{p}",
                       headers=merchant, json={"supplier_ids": rng.sample(suppliers, 3)}))
    for code in rng.sample(skus, len(skus) * 3 // 10):
        _ok(client.put(f"/api/v1/shops/{shop_id}/dispatch-rules/skus/{code}",
                       headers=merchant, json={"supplier_ids": rng.sample(suppliers, 3)}))
    _ok(client.put(f"/api/v1/shops/{shop_id}/dispatch-settings", headers=merchant,
                   json={"mode": "by_product"}))
    return skus


def order(external_id: str, skus: list[str], rng: random.Random) -> dict[str, Any]:
    return {
        "external_id": external_id,
        "buyer": {"name": "张三", "phone": rng.choice(PHONES),
                  "address": {"province": "浙江省", "city": "杭州市", "district": "西湖区",
                              "detail": "文三路 90 号"}},
        "lines": [{"sku_code": sku, "quantity": rng.randint(1, 3), "unit_price_fen": 9900}
                  for sku in rng.sample(skus, 3)],
    }


@contextlib.contextmanager
def server(settings: Settings) -> Iterator[tuple[str, int]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "DAIFA_DATABASE_URL": settings.database_url,
           "DAIFA_SECRET_KEY": settings.secret_key, "DAIFA_VAR_DIR": str(settings.var_dir),
           "DAIFA_RATE_LIMIT_PER_SECOND": "0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "daifa.app:build", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log"],
        env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/openapi.json", timeout=1).status_code == 200:
                    break
            time.sleep(0.05)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def bench_batch(base: str, shop: Shop, batches: int, tag: str) -> tuple[float, float]:
    """Orders/s of the best and of the median batch (other load on the machine only slows)."""
    rng = random.Random(11)
    bodies = [json.dumps({"orders": [order(f"{tag}-b{b}-{i}", shop.skus, rng)
                                     for i in range(1000)]}).encode() for b in range(batches)]
    headers = {**shop.headers, "content-type": "application/json"}
    times = []
    with httpx.Client(base_url=base, timeout=120) as client:
        client.post(shop.base + "/orders:batch", content=bodies[0], headers=headers)  # warm-up
        for body in bodies[1:]:
            started = time.perf_counter()
            response = client.post(shop.base + "/orders:batch", content=body, headers=headers)
            times.append(time.perf_counter() - started)
            items = response.json()["items"]
            assert response.status_code == 200 and all("order_id" in i for i in items), (
                response.text[:500])
    return 1000 / min(times), 1000 / statistics.median(times)


def bench_single(base: str, shop: Shop, args: argparse.Namespace, tag: str) -> tuple[
        float, float, float, str]:
    """Single POST /orders: orders/s, p50 ms, p99 ms, and what drove them (wrk, else httpx)."""
    if wrk.available():
        script = wrk.orders_script(shop.base + "/orders", shop.headers["Authorization"],
                                   shop.skus, f"{tag}-{uuid.uuid4().hex[:8]}")
        figures = wrk.run(base, threads=2, connections=args.clients,
                          seconds=args.single_seconds, script=script)
        if figures["bad_status"] or figures["socket_errors"]:
            raise SystemExit(f"single posts failed: {figures}")
        return figures["rps"], figures["p50_ms"], figures["p99_ms"], "wrk"
    per_s, p50, p99 = bench_single_python(base, shop, args.single, args.clients, tag)
    return per_s, p50, p99, "httpx threads (wrk not installed)"


def bench_single_python(base: str, shop: Shop, total: int, clients: int, tag: str) -> tuple[
        float, float, float]:
    per_client = total // clients
    latencies: list[float] = []
    lock = threading.Lock()
    errors: list[str] = []

    def run(worker: int) -> None:
        rng = random.Random(worker)
        bodies = [json.dumps(order(f"{tag}-s{worker}-{i}", shop.skus, rng)).encode()
                  for i in range(per_client)]
        mine = []
        headers = {**shop.headers, "content-type": "application/json"}
        with httpx.Client(base_url=base, timeout=30) as client:
            for body in bodies:
                started = time.perf_counter()
                response = client.post(shop.base + "/orders", content=body, headers=headers)
                mine.append(time.perf_counter() - started)
                if response.status_code != 201:
                    errors.append(response.text[:200])
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"{len(errors)} single posts failed, e.g. {errors[0]}")
    cuts = statistics.quantiles(latencies, n=100)
    return len(latencies) / elapsed, cuts[49] * 1000, cuts[98] * 1000


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(base: str, shop: Shop, pid: int, count: int = 400) -> tuple[float, float]:
    """Server CPU ms per request, one client: a single POST /orders and a trivial 404.

    CPU time, unlike latency, hardly depends on what else the machine runs, so the ratio says
    how heavy an order is next to the lightest request the server can answer."""
    rng = random.Random(5)
    headers = {**shop.headers, "content-type": "application/json"}
    bodies = [json.dumps(order(f"cpu-{i}", shop.skus, rng)).encode() for i in range(count)]
    with httpx.Client(base_url=base, timeout=30) as client:
        started = _cpu_seconds(pid)
        for body in bodies:
            client.post(shop.base + "/orders", content=body, headers=headers)
        post = (_cpu_seconds(pid) - started) / count * 1000
        started = _cpu_seconds(pid)
        for _ in range(count):
            client.get("/api/v1/no-such-path")
        trivial = (_cpu_seconds(pid) - started) / count * 1000
    return post, trivial


def print_statements(name: str, settings: Settings, shop: Shop) -> None:
    def body_of(external_id: str, rng: random.Random) -> dict[str, Any]:
        return order(external_id, shop.skus, rng)

    for keyed in (False, True):
        count, verbs, dispatch = statements.per_routed_order(
            settings, shop.base, shop.headers, body_of, keyed=keyed)
        verdict = "meets" if count <= 12 else "ABOVE"
        how = "with an Idempotency-Key" if keyed else "without a key"
        print(f"  {name}: SQL statements per routed order ({dispatch} dispatch orders, {how}): "
              f"{count:.0f} ({', '.join(f'{n} {v}' for v, n in verbs.most_common())}) — "
              f"{verdict} the target of 12")


def run_backend(name: str, url: str, args: argparse.Namespace, var_dir: Path) -> tuple[
        float, float]:
    """The best batch rate and the single-POST rate (0 when not run)."""
    settings, shop = set_up(url, var_dir)
    single = 0.0
    with server(settings) as (base, pid):
        best, median = bench_batch(base, shop, args.batches, name)
        print(f"  {name}: orders:batch {best:,.0f} orders/s best batch, {median:,.0f} median "
              f"(batches of 1,000 orders × 3 lines, by_product)")
        if args.single:
            single, p50, p99, driver = bench_single(base, shop, args, name)
            print(f"  {name}: single POST /orders, {args.clients} connections ({driver}): "
                  f"{single:,.0f} orders/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms "
                  f"(load average {os.getloadavg()[0]:.1f})")
            post, trivial = server_cpu(base, shop, pid)
            print(f"  {name}: server CPU per request: single POST /orders {post:.2f} ms, a "
                  f"trivial 404 {trivial:.2f} ms ({post / trivial:.1f}×)")
    print_statements(name, settings, shop)
    return best, single


def run_peer(args: argparse.Namespace, single: float) -> None:
    """django-oscar's orders/s in process, and daifa's single POSTs over HTTP as a multiple."""
    if args.no_peer:
        print("  peer django-oscar: skipped (--no-peer)")
        return
    figures, how = oscar_peer.place_orders(args.oscar_orders)
    if figures is None:
        print(f"  peer django-oscar: skipped, its virtualenv could not be made or run ({how})")
        return
    rate = figures["orders_per_s"]
    print(f"  peer django-oscar {figures['oscar']} (Django {figures['django']}, SQLite WAL, "
          f"{how}): {rate:,.0f} orders/s placing {figures['orders']} two-partner orders in "
          f"process, {figures['statements_per_order']:.0f} SQL statements each "
          f"(load average {os.getloadavg()[0]:.1f})")
    if single:
        multiple = single / rate
        verdict = "meets" if multiple >= 12 else "BELOW"
        print(f"  daifa single POST /orders over HTTP on SQLite = {multiple:.1f}× Oscar's "
              f"in-process placement — {verdict} the 12× target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=11, help="the first is a warm-up")
    parser.add_argument("--single", type=int, default=4000,
                        help="orders of the httpx fallback (no wrk); 0 skips single POSTs")
    parser.add_argument("--single-seconds", type=int, default=10, help="of the wrk run")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--raw-orders", type=int, default=20_000)
    parser.add_argument("--oscar-orders", type=int, default=500)
    parser.add_argument("--no-peer", action="store_true", help="skip django-oscar")
    args = parser.parse_args()
    print(f"ingest ({time.strftime('%Y-%m-%d %H:%M:%S')}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        batch_rate, single = run_backend("sqlite", url, args, Path(tmp))
        shape = rows_per_order(url)
        per_order = max(1, round(shape["dispatch_orders"]))
        raw, raw_median = raw_sqlite(Path(tmp) / "raw.db", args.raw_orders, per_order)
    print(f"  rows per order: {shape['order_lines']:.1f} lines, "
          f"{shape['dispatch_orders']:.2f} dispatch orders, "
          f"{shape['dispatch_lines']:.1f} dispatch lines, plus an event per order and per "
          "dispatch order")
    print(f"  raw sqlite3, the same rows ({per_order} dispatch orders), one commit per order: "
          f"{raw:,.0f} orders/s best chunk of {RAW_CHUNK:,}, {raw_median:,.0f} median")
    share = batch_rate / raw
    verdict = "meets" if share >= 0.5 else "BELOW"
    print(f"  orders:batch on SQLite = {share:.0%} of the raw rate (best vs best) — {verdict} "
          "the 50 % target")
    run_peer(args, single)
    postgres = os.environ.get("DAIFA_BENCH_POSTGRES_URL") or os.environ.get(
        "DAIFA_TEST_POSTGRES_URL")
    if postgres:
        with tempfile.TemporaryDirectory() as tmp, postgres_database(postgres) as url:
            run_backend("postgresql", url, args, Path(tmp))
    else:
        print("  postgresql: skipped (set DAIFA_BENCH_POSTGRES_URL)")


if __name__ == "__main__":
    main()
