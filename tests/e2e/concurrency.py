"""Helpers that make two threads overlap where a race is decided."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from daifa.db.uow import Database


@contextmanager
def rendezvous(db: Database, statement_prefix: str) -> Iterator[list[int]]:
    """On PostgreSQL, hold both racers just before their first statement with this prefix."""
    met: list[int] = []
    if db.engine.dialect.name != "postgresql":
        yield met
        return
    barrier = threading.Barrier(2)
    local = threading.local()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(statement_prefix) and not getattr(local, "done", False):
            local.done = True
            barrier.wait(timeout=10)
            met.append(threading.get_ident())

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield met
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
