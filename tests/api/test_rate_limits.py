"""The per-tenant rate limit: one shop's flood is refused with 429 RATE_LIMITED and
Retry-After while other shops go on; buckets refill; memory, Redis and database stores behave
alike, and processes sharing a store share the bucket.

Redis must run (it does here and in CI); without it the Redis cases skip with a message,
except in CI or with DAIFA_FAULT_SUITES=1, where they fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from daifa.api import rates
from daifa.app import create_app
from daifa.cli.main import app as cli
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.ratelimit import stores
from daifa.ratelimit.rules import Bucket, Decision, Policy, take
from tests import factories
from tests.api.support import assert_problem, ok
from tests.conftest import FAULT_SUITES

REDIS_URL = os.environ.get("DAIFA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
RATE, BURST, WRITE_COST = 5.0, 10, 2
STORES = ["memory", "database", "redis"]
SHARED = ["database", "redis"]  # what several processes may share
ROOT = Path(__file__).resolve().parents[2]


def _redis_reachable() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _need_redis() -> None:
    if _redis_reachable():
        return
    message = f"Redis is not reachable at {REDIS_URL} (set DAIFA_TEST_REDIS_URL)"
    if FAULT_SUITES or os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _limited(settings: Settings, store: str) -> Settings:
    if store == "redis":
        _need_redis()
    # a prefix of the test's own: tenant row ids start again in every test
    return settings.model_copy(update={
        "rate_limit_per_second": RATE, "rate_limit_burst": BURST,
        "rate_limit_write_cost": WRITE_COST, "rate_limit_store": store,
        "redis_url": REDIS_URL, "redis_prefix": f"daifa-test-{uuid.uuid4().hex}:"})


_APPS: dict[tuple[str, int, int], FastAPI] = {}


def _app(settings: Settings, db: Database, clock: FrozenClock, copy: int = 0) -> FastAPI:
    """An app per store (and per copy, for two instances sharing one store), built once and
    given this test's settings, clock and a fresh limiter."""
    key = (settings.rate_limit_store, id(db), copy)
    built = _APPS.get(key)
    if built is None:
        built = _APPS[key] = create_app(settings, clock=clock, database=db)
    built.state.hub.settings = settings
    built.state.hub.clock = clock
    rates.install(built)
    return built


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def limited(settings: Settings, store: str) -> Settings:
    return _limited(settings, store)


@pytest.fixture
def api(limited: Settings, db: Database, clock: FrozenClock) -> Iterator[TestClient]:
    with TestClient(_app(limited, db, clock)) as client:
        yield client


def _shop_key(client: TestClient) -> tuple[str, dict[str, str]]:
    """A shop and its API key's headers (the owner's own bucket pays for making them)."""
    owner = factories.person(client)
    shop_id = factories.shop(client, owner)
    created = ok(client.post(f"/api/v1/shops/{shop_id}/api-keys", headers=owner.headers), 201)
    return shop_id, factories.auth(created["key"])


def test_a_flooding_shop_is_refused_and_another_shop_is_not(api: TestClient,
                                                            clock: FrozenClock) -> None:
    shop_a, key_a = _shop_key(api)
    shop_b, key_b = _shop_key(api)
    passed_a, refused_a, statuses_b = 0, [], []
    # two seconds: shop A at 50 requests a second (10 x its rate), B at its rate of 5
    for step in range(100):
        response = api.get(f"/api/v1/shops/{shop_a}", headers=key_a)
        if response.status_code == 200:
            passed_a += 1
        else:
            refused_a.append(response)
        if step % 10 == 0:
            statuses_b.append(api.get(f"/api/v1/shops/{shop_b}", headers=key_b).status_code)
        clock.advance(timedelta(milliseconds=20))
    assert statuses_b == [200] * 10
    assert passed_a == BURST + int(RATE * 2) - 1  # the burst, then what 1.98 s refilled
    for response in refused_a:
        body = assert_problem(response, 429, "RATE_LIMITED")
        assert response.headers["Retry-After"] == "1" and body["seconds"] == 1


def test_the_bucket_refills_and_a_write_costs_more(api: TestClient,
                                                   clock: FrozenClock) -> None:
    shop_id, key = _shop_key(api)
    for _ in range(BURST - 1):
        ok(api.get(f"/api/v1/shops/{shop_id}", headers=key))
    refused = api.post(f"/api/v1/shops/{shop_id}/invitations", headers=key)
    assert_problem(refused, 429, "RATE_LIMITED")  # a write wants 2 tokens; 1 is left
    ok(api.get(f"/api/v1/shops/{shop_id}", headers=key))  # a read takes the last one
    refused = api.get(f"/api/v1/shops/{shop_id}", headers=key)
    assert_problem(refused, 429, "RATE_LIMITED")
    clock.advance(timedelta(seconds=int(refused.headers["Retry-After"])))
    ok(api.get(f"/api/v1/shops/{shop_id}", headers=key))
    clock.advance(timedelta(seconds=BURST / RATE))  # full again, and no fuller
    for _ in range(BURST // WRITE_COST):
        ok(api.post(f"/api/v1/shops/{shop_id}/invitations", headers=key), 201)
    wait = api.post(f"/api/v1/shops/{shop_id}/invitations", headers=key).headers["Retry-After"]
    assert wait == "1"  # 2 tokens at 5 a second: 0.4 s, rounded up


def test_a_refused_request_is_answered_before_its_body_is_read(api: TestClient) -> None:
    shop_id, key = _shop_key(api)
    for _ in range(BURST):
        ok(api.get(f"/api/v1/shops/{shop_id}", headers=key))
    response = api.post(f"/api/v1/shops/{shop_id}/invitations", content=b"{not json",
                        headers={**key, "content-type": "application/json"})
    assert_problem(response, 429, "RATE_LIMITED")


def test_a_person_has_a_bucket_of_their_own(api: TestClient) -> None:
    """A session token counts against its account, not the shops it owns, and signing in
    (throttled apart) takes nothing."""
    owner = factories.person(api)
    shop_id = factories.shop(api, owner)  # a write: 2 tokens
    statuses = [api.get(f"/api/v1/shops/{shop_id}", headers=owner.headers).status_code
                for _ in range(BURST)]
    assert statuses == [200] * (BURST - WRITE_COST) + [429] * WRITE_COST
    for _ in range(BURST + 1):
        ok(api.post("/api/v1/auth/token",
                    json={"login": owner.login, "password": factories.PASSWORD}))


@pytest.mark.parametrize("store", SHARED)
def test_two_apps_on_one_store_share_each_bucket(api: TestClient, limited: Settings,
                                                 db: Database, clock: FrozenClock) -> None:
    shop_id, key = _shop_key(api)
    with TestClient(_app(limited, db, clock, copy=1)) as other:
        statuses = [client.get(f"/api/v1/shops/{shop_id}", headers=key).status_code
                    for _ in range(BURST) for client in (api, other)]
    assert statuses.count(200) == BURST and statuses[BURST:] == [429] * BURST


PROBE = """
import json, sys
from daifa.config import Settings
from daifa.db.engine import make_engine
from daifa.db.uow import Database
from daifa.ratelimit import stores
settings = Settings.model_validate_json(sys.argv[1])
store = stores.open_store(settings, Database(make_engine(settings.database_url)))
policy = stores.policy(settings)
print(json.dumps([store.take("shop:1", float(sys.argv[2]), policy, 1).allowed
                  for _ in range(int(sys.argv[3]))]))
"""


@pytest.mark.parametrize("store", SHARED)
def test_another_process_takes_from_the_same_bucket(limited: Settings, db: Database,
                                                    clock: FrozenClock) -> None:
    now = clock.now().timestamp()
    probe = subprocess.run([sys.executable, "-c", PROBE, limited.model_dump_json(), repr(now),
                            "7"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout) == [True] * 7
    here = stores.open_store(limited, db)
    assert here is not None
    policy = stores.policy(limited)
    assert [here.take("shop:1", now, policy, 1).allowed for _ in range(5)] == \
        [True] * (BURST - 7) + [False] * (5 - (BURST - 7))


def test_taking_is_atomic_under_threads(limited: Settings, db: Database,
                                        clock: FrozenClock) -> None:
    """Twelve threads at one instant: exactly the burst passes, whatever the interleaving."""
    store = stores.open_store(limited, db)
    assert store is not None
    policy, now = stores.policy(limited), clock.now().timestamp()
    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda _: store.take("shop:9", now, policy, 1).allowed,
                                range(40)))
    assert results.count(True) == BURST


# (seconds since the previous request, cost): bursts, waits, a clock going back, writes
STEPS = [(0, 1)] * 9 + [(0, 2), (0, 1), (0, 1), (0.1, 1), (0.1, 1), (-5, 1), (0.5, 2),
                        (0.2, 2), (3, 1), (10, 2)] + [(0.05, 1)] * 12


def test_every_store_follows_the_rules(limited: Settings, db: Database,
                                       clock: FrozenClock) -> None:
    store = stores.open_store(limited, db)
    assert store is not None
    policy = stores.policy(limited)
    now, bucket = clock.now().timestamp(), None
    for delay, cost in STEPS:
        now += delay
        bucket, expected = take(bucket, now, policy, cost)
        got = store.take("supplier:3", now, policy, cost)
        assert got.allowed == expected.allowed
        assert got.wait == pytest.approx(expected.wait, abs=1e-6)


@pytest.mark.parametrize(("bucket", "elapsed", "cost", "allowed", "wait"), [
    (None, 0, 1, True, 0.0),  # a new bucket is full
    (Bucket(0.0, 0), 0.1, 1, False, 0.1),  # half a token: 0.1 s to go
    (Bucket(0.0, 0), 0.2, 1, True, 0.0),  # 0.2 s at 5 a second is one token (float drift)
    (Bucket(1.0, 0), 0, 2, False, 0.2),  # a write wants two
    (Bucket(0.0, 0), 1000, 10, True, 0.0),  # capped at the burst, which still pays 10
    (Bucket(0.0, 10), -5, 1, False, 0.2),  # a clock gone back adds nothing
])
def test_bucket_rules(bucket: Bucket | None, elapsed: float, cost: int, allowed: bool,
                      wait: float) -> None:
    policy = Policy(rate=RATE, burst=BURST, write_cost=WRITE_COST)
    start = bucket.stamp if bucket else 0.0
    after, decision = take(bucket, start + elapsed, policy, cost)
    assert (decision.allowed, decision.wait) == (allowed, pytest.approx(wait))
    assert after.stamp == max(start, start + elapsed)


def test_retry_after_is_whole_seconds_rounded_up() -> None:
    assert [Decision(False, w).retry_after for w in (1e-6, 0.4, 1.0, 1.2)] == [1, 1, 1, 2]


def test_an_unreachable_store_lets_requests_through(settings: Settings, db: Database) -> None:
    down = settings.model_copy(update={"rate_limit_per_second": 1.0, "rate_limit_burst": 1,
                                       "rate_limit_write_cost": 1, "rate_limit_store": "redis",
                                       "redis_url": "redis://127.0.0.1:1/0"})
    store = stores.open_store(down, db)
    assert store is not None
    with pytest.raises(stores.StoreUnavailable):
        store.take("shop:1", 0.0, stores.policy(down), 1)
    limiter = rates.Limiter(store, stores.policy(down))
    assert all(limiter.take("shop:1", 0.0, 1).allowed for _ in range(3))


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"database_url": "sqlite:///x.db"}, "memory"),
    ({"database_url": "postgresql+psycopg://h/db"}, "database"),
    ({"database_url": "postgresql+psycopg://h/db", "redis_url": "redis://h"}, "redis"),
    ({"database_url": "sqlite:///x.db", "rate_limit_store": "database"}, "database"),
])
def test_the_store_auto_picks(overrides: dict[str, str], expected: str) -> None:
    assert Settings(**overrides).resolved_rate_limit_store() == expected  # type: ignore[arg-type]


def test_zero_turns_the_limit_off(settings: Settings, db: Database) -> None:
    assert stores.open_store(settings.model_copy(update={"rate_limit_per_second": 0}),
                             db) is None


def test_a_write_dearer_than_the_bucket_is_refused_as_a_setting() -> None:
    with pytest.raises(ValueError, match="rate_limit_write_cost"):
        Settings(rate_limit_burst=1, rate_limit_write_cost=2)


def test_several_workers_refuse_buckets_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAIFA_DATABASE_URL", "postgresql+psycopg://nowhere/daifa")
    monkeypatch.setenv("DAIFA_RATE_LIMIT_STORE", "memory")
    monkeypatch.setenv("DAIFA_SECRET_KEY", "test")
    result = CliRunner().invoke(cli, ["serve", "--workers", "2"])
    assert result.exit_code == 2, result.output
    assert "DAIFA_RATE_LIMIT_STORE=memory" in result.output
