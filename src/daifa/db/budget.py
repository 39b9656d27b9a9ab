"""A request's time budget, as the database sees it.

The API sets a deadline when a request starts (api.limits.TimeBudget); every statement of that
request checks it before it runs, and on SQLite a long statement checks it as it runs (the
progress handler). On PostgreSQL the server enforces `statement_timeout` itself. A request past
its budget ends with 503 REQUEST_TIME_EXCEEDED and its unit of work rolls back; work outside a
request (the worker, the CLI) has no deadline.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from psycopg.errors import QueryCanceled

from daifa.errors import DaifaError

_budget: ContextVar[tuple[float, float] | None] = ContextVar("daifa_budget", default=None)
SQLITE_STEPS = 20_000  # virtual machine steps between looks at the clock (well under 1 ms)


class RequestTimeExceeded(DaifaError):
    code = "REQUEST_TIME_EXCEEDED"
    status = 503
    title = "The request took longer than the server allows"


@contextmanager
def within(seconds: float) -> Iterator[None]:
    token = _budget.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _budget.reset(token)


@contextmanager
def lifted() -> Iterator[None]:
    """For clean-up after a request ran out of time (freeing its idempotency key)."""
    token = _budget.set(None)
    try:
        yield
    finally:
        _budget.reset(token)


def expired() -> bool:
    budget = _budget.get()
    return budget is not None and time.monotonic() > budget[0]


def check() -> None:
    """Raise when the current request is past its deadline."""
    if expired():
        raise exceeded()


def exceeded() -> RequestTimeExceeded:
    budget = _budget.get()
    return RequestTimeExceeded(seconds=int(budget[1]) if budget else 0)


def sqlite_progress() -> int:
    """SQLite's progress handler: non-zero interrupts the running statement."""
    return 1 if expired() else 0


def interrupted(error: BaseException) -> bool:
    """Whether a driver error is a statement cut short for time (SQLite's interrupt, or
    PostgreSQL's statement_timeout)."""
    return (isinstance(error, QueryCanceled)
            or (isinstance(error, sqlite3.OperationalError) and str(error) == "interrupted"))
