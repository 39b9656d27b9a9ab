"""Connection pools sized from the process's threads; statement_timeout on PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from daifa.db.engine import API_THREADS, api_pool, make_engine, worker_pool


def test_an_api_process_can_give_every_thread_a_connection() -> None:
    assert api_pool(10) == {"pool_size": 10, "max_overflow": API_THREADS - 10}
    assert api_pool(100) == {"pool_size": API_THREADS, "max_overflow": 0}


def test_a_worker_holds_one_connection_per_runner_and_one_for_sweeps(database_url: str) -> None:
    engine = make_engine(database_url, statement_seconds=7, **worker_pool(3))
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                assert engine.pool.size() == 4  # type: ignore[attr-defined]
                assert conn.scalar(text("SHOW statement_timeout")) == "7s"
            else:
                assert conn.scalar(text("SELECT 1")) == 1  # SQLite keeps its default pool
    finally:
        engine.dispose()
