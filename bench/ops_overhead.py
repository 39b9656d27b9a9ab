"""What the metrics middleware and the rate limit add to one request.

1. A trivial FastAPI route called straight through ASGI (no server, no network, so the
   difference is the middleware alone): bare, then wrapped in `api.metrics.RequestMetrics`.
2. Taking one token from each rate-limit store (`memory`; `redis` at DAIFA_BENCH_REDIS_URL,
   default redis://127.0.0.1:6379/0; `database` on a fresh SQLite file and, when
   DAIFA_TEST_POSTGRES_URL is set, on a database of its own on that PostgreSQL server).

Prints microseconds per request or per take (the best of five rounds).

    .venv/bin/python bench/ops_overhead.py [--requests 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Message
from support.databases import postgres_database

from daifa.api.metrics import RequestMetrics
from daifa.db.engine import make_engine
from daifa.db.migrate import upgrade
from daifa.db.uow import Database
from daifa.ratelimit import stores
from daifa.ratelimit.rules import Policy

SCOPE: dict[str, Any] = {"type": "http", "http_version": "1.1", "method": "GET",
                         "path": "/ping", "raw_path": b"/ping", "root_path": "",
                         "scheme": "http", "query_string": b"", "headers": [],
                         "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000)}


def trivial_app() -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, bool]:  # async: no thread hop to blur the difference
        return {"ok": True}

    return app


async def drive(app: ASGIApp, requests: int) -> float:
    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        return None

    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(SCOPE), receive, send)
    return (time.perf_counter() - started) / requests * 1e6


def best(run: Callable[[], float], rounds: int = 5) -> float:
    return min(run() for _ in range(rounds))


def middleware(requests: int) -> None:
    bare = trivial_app()
    measured = trivial_app()
    measured.add_middleware(RequestMetrics)

    async def rounds() -> tuple[float, float]:
        without, with_metrics = float("inf"), float("inf")
        for _ in range(7):  # alternated, so a busy moment of the machine hits both
            without = min(without, await drive(bare, requests))
            with_metrics = min(with_metrics, await drive(measured, requests))
        return without, with_metrics

    without, with_metrics = asyncio.run(rounds())
    print(f"trivial route, bare FastAPI:        {without:8.1f} µs/request")
    print(f"trivial route, with RequestMetrics: {with_metrics:8.1f} µs/request "
          f"(+{with_metrics - without:.1f} µs)")


def takes(store: stores.Store, count: int) -> float:
    policy = Policy(rate=1e9, burst=1_000_000, write_cost=1)  # never refuses: the cost alone
    key = f"bench:{uuid.uuid4().hex}"
    started = time.perf_counter()
    for _ in range(count):
        store.take(key, time.time(), policy, 1)
    return (time.perf_counter() - started) / count * 1e6


@contextlib.contextmanager
def own_postgres() -> Iterator[str | None]:
    """A database of its own on the server DAIFA_TEST_POSTGRES_URL names, dropped after."""
    admin_url = os.environ.get("DAIFA_TEST_POSTGRES_URL")
    if not admin_url:
        yield None
        return
    with postgres_database(admin_url) as url:
        yield url


def show(label: str, micros: float) -> None:
    print(f"{label:<36}{micros:8.1f} µs")


def database_cost(name: str, url: str, count: int) -> None:
    upgrade(url)
    db = Database(make_engine(url))
    try:
        store = stores.DatabaseStore(db)
        show(f"take a token, database ({name}):", best(lambda: takes(store, count)))
    finally:
        db.dispose()


def store_costs(count: int) -> None:
    show("take a token, memory:", best(lambda: takes(stores.MemoryStore(), count)))
    redis_url = os.environ.get("DAIFA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    redis_store = stores.RedisStore(redis_url, f"daifa-bench-{uuid.uuid4().hex}:")
    try:
        show("take a token, redis:", best(lambda: takes(redis_store, count // 10)))
    except stores.StoreUnavailable as exc:
        print(f"take a token, redis: unreachable ({exc})")
    with tempfile.TemporaryDirectory() as tmp:
        database_cost("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}", count // 20)
    with own_postgres() as postgres:
        if postgres:
            database_cost("postgresql", postgres, count // 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    args = parser.parse_args()
    middleware(args.requests)
    store_costs(args.requests // 4)


if __name__ == "__main__":
    main()
