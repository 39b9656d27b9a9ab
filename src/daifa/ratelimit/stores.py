"""Where the buckets live. Every store takes a token atomically, so any number of processes
sharing one store share each tenant's bucket.

- `MemoryStore`: a dict in this process. Only right when one process serves (SQLite, which
  `daifa serve` runs in one process); `daifa serve --workers N` refuses it.
- `RedisStore`: one Lua script per request (read, refill, take, write and expire in one
  atomic step on the server). Recommended wherever several processes serve.
- `DatabaseStore`: one `INSERT … ON CONFLICT DO UPDATE … RETURNING` per request, in a
  transaction of its own; for PostgreSQL without Redis. On SQLite it would take the one write
  lock for every request, so `auto` never picks it there.

Time is the caller's (the hub's clock), in seconds since the epoch, so tests can move it; the
processes sharing a store are expected to keep their clocks in step (NTP).
"""

from __future__ import annotations

import threading
from typing import Any, Protocol, cast

import redis
from sqlalchemy import BindParameter, ColumnElement, Double, Executable, Table, bindparam, case
from sqlalchemy.exc import SQLAlchemyError

from daifa.config import Settings
from daifa.db.base import upsert_insert
from daifa.db.uow import Database
from daifa.ratelimit.models import RateLimitBucket
from daifa.ratelimit.rules import EPSILON, Bucket, Decision, Policy, take


class StoreUnavailable(Exception):
    """The store could not be asked (Redis down, the database refused); the caller decides
    whether the request passes."""


class Store(Protocol):
    # True when taking a token does no I/O, so it may run on the event loop itself.
    inline: bool

    def take(self, key: str, now: float, policy: Policy, cost: int) -> Decision: ...


def policy(settings: Settings) -> Policy:
    return Policy(rate=settings.rate_limit_per_second, burst=settings.rate_limit_burst,
                  write_cost=settings.rate_limit_write_cost)


def open_store(settings: Settings, db: Database) -> Store | None:
    """The store the settings ask for; None when the limit is off."""
    if settings.rate_limit_per_second <= 0:
        return None
    kind = settings.resolved_rate_limit_store()
    if kind == "memory":
        return MemoryStore()
    if kind == "database":
        return DatabaseStore(db)
    if not settings.redis_url:
        raise ValueError("DAIFA_RATE_LIMIT_STORE=redis needs DAIFA_REDIS_URL")
    return RedisStore(settings.redis_url, settings.redis_prefix)


class MemoryStore:
    inline = True
    MAX_KEYS = 100_000  # tenants, not clients: reached only by a very large hub

    def __init__(self) -> None:
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str, now: float, policy: Policy, cost: int) -> Decision:
        with self._lock:
            bucket, decision = take(self._buckets.get(key), now, policy, cost)
            if len(self._buckets) >= self.MAX_KEYS and key not in self._buckets:
                self._buckets.clear()  # every bucket full again: generous, never wrong twice
            self._buckets[key] = bucket
        return decision


class DatabaseStore:
    inline = False

    def __init__(self, db: Database) -> None:
        self.db = db
        # built once: making the expression and its cache key anew cost more than the UPSERT
        self._statement = upsert(db.engine.dialect.name)

    def take(self, key: str, now: float, policy: Policy, cost: int) -> Decision:
        params = {"key": key, "now": now, "rate": policy.rate, "burst": float(policy.burst),
                  "cost": float(cost)}
        try:
            with self.db.unit_of_work(write=True) as session:
                row = session.execute(self._statement, params).one()
        except SQLAlchemyError as exc:
            raise StoreUnavailable(f"rate-limit buckets in the database: {exc}") from exc
        if row.allowed:
            return Decision(allowed=True)
        return Decision(False, wait=(cost - row.tokens) / policy.rate)


def _number(name: str) -> BindParameter[float]:
    return bindparam(name, type_=Double())


def upsert(dialect: str) -> Executable:
    """rules.take in SQL, one statement: the SET expressions all read the row as it was."""
    table = cast(Table, RateLimitBucket.__table__)
    tokens, stamp = table.c.tokens, table.c.stamp
    now, rate, burst, cost = (_number(name) for name in ("now", "rate", "burst", "cost"))
    refilled = tokens + case((stamp < now, now - stamp), else_=0.0) * rate
    available = case((refilled < burst, refilled), else_=burst)
    passes: ColumnElement[bool] = available + EPSILON >= cost
    statement = upsert_insert(dialect, table).values(
        key=bindparam("key"), tokens=burst - cost, stamp=now, allowed=True)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={"tokens": case((passes, available - cost), else_=available),
              "stamp": case((stamp < now, now), else_=stamp),
              "allowed": passes})
    return statement.returning(tokens, table.c.allowed)


# KEYS[1] the bucket; ARGV rate, burst, cost, now. Returns {allowed, tokens left (text: Redis
# turns a Lua number into an integer)}. An idle bucket expires a minute after it would be full
# again, when forgetting it changes nothing.
TAKE_SCRIPT = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local cost, now = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens, stamp = tonumber(state[1]), tonumber(state[2])
if tokens == nil or stamp == nil then
  tokens, stamp = burst, now
end
local elapsed = math.max(0, now - stamp)
local available = math.min(burst, tokens + elapsed * rate)
local allowed = 0
if available + 1e-9 >= cost then
  available = available - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', available),
           'stamp', string.format('%.17g', math.max(stamp, now)))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return {allowed, string.format('%.17g', available)}
"""


class RedisStore:
    inline = False
    TIMEOUT = 0.5  # seconds: past this a request is let through rather than held up

    def __init__(self, url: str, prefix: str) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=self.TIMEOUT,
                                           socket_connect_timeout=self.TIMEOUT)
        self._script = self.client.register_script(TAKE_SCRIPT)
        self.prefix = f"{prefix}rl:"

    def take(self, key: str, now: float, policy: Policy, cost: int) -> Decision:
        try:
            reply: Any = self._script(keys=[self.prefix + key],
                                      args=[repr(policy.rate), policy.burst, cost, repr(now)])
        except redis.RedisError as exc:
            raise StoreUnavailable(f"rate-limit buckets in Redis: {exc}") from exc
        allowed, tokens = int(reply[0]), float(reply[1])
        if allowed:
            return Decision(allowed=True)
        return Decision(False, wait=(cost - tokens) / policy.rate)
