"""The per-tenant rate limit of /api/v1, checked by the guard once the caller is known and
before the body is read or any of the request's own database work starts.

A tenant is what the bearer token speaks for: the shop or supplier of an API key, or the
account of a session token (which acts for every organisation it owns), so one shop's flood
empties its own bucket and no one else's. A read (GET, HEAD) takes one token, anything else
`DAIFA_RATE_LIMIT_WRITE_COST`; past the bucket the answer is 429 `RATE_LIMITED` with
`Retry-After`. Public paths (sign-up, sign-in) have their own throttle and are not counted.

When the store cannot be asked (Redis down), requests pass and the log says so: the limit
protects tenants from each other, and is not worth an outage of its own.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request

from daifa.api.deps import hub
from daifa.api.metrics import RATE_LIMIT_REFUSALS, RATE_LIMIT_STORE_ERRORS
from daifa.context import Actor, Scope
from daifa.errors import RateLimited
from daifa.hub import Hub
from daifa.ratelimit import stores
from daifa.ratelimit.rules import Decision, Policy

log = logging.getLogger("daifa.api")
READS = frozenset({"GET", "HEAD"})
WARN_EVERY = 60.0  # seconds between log lines while the store stays unreachable


@dataclass
class Limiter:
    store: stores.Store
    policy: Policy
    warned_at: float = float("-inf")

    def take(self, key: str, now: float, cost: int) -> Decision:
        try:
            return self.store.take(key, now, self.policy, cost)
        except stores.StoreUnavailable as exc:
            RATE_LIMIT_STORE_ERRORS.inc()
            if time.monotonic() - self.warned_at >= WARN_EVERY:
                self.warned_at = time.monotonic()
                log.warning("rate limits not enforced: %s", exc)
            return Decision(allowed=True)


def install(app: FastAPI) -> None:
    """The limiter the settings ask for on app.state (None: the limit is off)."""
    built: Hub = app.state.hub
    store = stores.open_store(built.settings, built.db)
    app.state.rate_limiter = (None if store is None
                              else Limiter(store, stores.policy(built.settings)))


def tenant(actor: Actor) -> str | None:
    if actor.scope in (Scope.SHOP, Scope.SUPPLIER):
        return f"{actor.scope.value}:{actor.org_id}"
    if actor.scope is Scope.PERSON and actor.account_id is not None:
        return f"account:{actor.account_id}"
    return None


async def check(request: Request, actor: Actor) -> None:
    """RateLimited when the actor's tenant has no tokens left for this request."""
    limiter: Limiter | None = getattr(request.app.state, "rate_limiter", None)
    key = tenant(actor)
    if limiter is None or key is None:
        return
    cost = limiter.policy.cost(write=request.method not in READS)
    now = hub(request).clock.now().timestamp()
    if limiter.store.inline:
        decision = limiter.take(key, now, cost)
    else:
        decision = await run_in_threadpool(limiter.take, key, now, cost)
    if not decision.allowed:
        RATE_LIMIT_REFUSALS.labels(actor.scope.value).inc()
        raise RateLimited(retry_after=decision.retry_after)
