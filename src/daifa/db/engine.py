"""Engine factory. SQLite gets WAL, foreign keys, a busy timeout and explicit BEGINs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from daifa.db import budget

WRITE_OPTION = "daifa_write"
# The threads an API process runs its sync endpoints on: AnyIO's default thread limiter, which
# Starlette's threadpool uses. Each holds at most one connection (one unit of work at a time).
API_THREADS = 40
# Connections a worker opens beside one per runner thread and the sweeper: the lease heartbeat,
# and the release of unfinished jobs on shutdown.
WORKER_SPARE_CONNECTIONS = 2


def api_pool(steady: int) -> dict[str, int]:
    """An API process keeps `steady` connections and opens more up to one per thread, so no
    request waits for a connection while a thread is free to run it."""
    steady = min(steady, API_THREADS)
    return {"pool_size": steady, "max_overflow": API_THREADS - steady}


def worker_pool(concurrency: int) -> dict[str, int]:
    """A worker holds one connection per runner thread and one for the sweeps."""
    return {"pool_size": concurrency + 1, "max_overflow": WORKER_SPARE_CONNECTIONS}


def make_engine(url: str, *, statement_seconds: int | None = None, **kwargs: Any) -> Engine:
    """`statement_seconds`: PostgreSQL cancels any statement running longer (the server's
    request budget; SQLite checks the request's own deadline as statements run)."""
    # Statement parameters carry buyers' names, phones and addresses: an error's text (and so
    # every log line made of it) shows the statement without them.
    kwargs.setdefault("hide_parameters", True)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Sizes are for PostgreSQL's processes; SQLite keeps its default pool (writers take
        # turns on one lock anyway, and an in-memory database's pool takes no overflow).
        kwargs.pop("pool_size", None)
        kwargs.pop("max_overflow", None)
        engine = _sqlite_engine(url, **kwargs)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        if "poolclass" not in kwargs:
            kwargs.setdefault("pool_size", 10)
        else:  # a NullPool or StaticPool takes no sizes
            kwargs.pop("pool_size", None)
            kwargs.pop("max_overflow", None)
        if statement_seconds is not None:
            kwargs.setdefault("connect_args", {})["options"] = (
                f"-c statement_timeout={statement_seconds * 1000}")
        engine = create_engine(url, **kwargs)
    _keep_budgets(engine)
    return engine


def _keep_budgets(engine: Engine) -> None:
    @event.listens_for(engine, "before_cursor_execute")
    def _before(*_args: Any) -> None:
        budget.check()

    @event.listens_for(engine, "handle_error")
    def _on_error(context: Any) -> None:
        if budget.interrupted(context.original_exception):
            raise budget.exceeded() from context.original_exception


def _sqlite_engine(url: str, **kwargs: Any) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so BEGIN IMMEDIATE is possible.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()
        dbapi_connection.set_progress_handler(budget.sqlite_progress, budget.SQLITE_STEPS)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writer takes the write lock up front; a deferred BEGIN that later writes can fail
        # with SQLITE_BUSY when another writer committed in between, without waiting.
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
