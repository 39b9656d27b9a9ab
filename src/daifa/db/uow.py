"""The unit of work: one transaction per request, job or CLI command; only it commits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from daifa.db.engine import WRITE_OPTION, is_sqlite


class Database:
    """Owns the engine and hands out sessions for reading or writing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = sessionmaker(
            bind=engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )
        # SQLite has one write lock per file. Writers of this process queue here, in order,
        # instead of in SQLite's busy handler, whose sleeps grow to 100 ms and make p99 jump
        # (measured with many writer threads). Other processes still meet at the busy timeout.
        self._write_turn = threading.RLock() if is_sqlite(engine) else None

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """Commit when the block ends normally, roll back when it raises."""
        turn = self._write_turn if write else None
        if turn is not None:
            turn.acquire()
        try:
            with self._session(write) as session:
                yield session
        finally:
            if turn is not None:
                turn.release()

    @contextmanager
    def _session(self, write: bool) -> Iterator[Session]:
        session = (self._writer if write else self._reader)()
        try:
            yield session
            if write:
                session.commit()
            else:
                session.rollback()
        except BaseException as exc:
            if write and getattr(exc, "keep_changes", False):
                session.commit()
            else:
                session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def savepoint(session: Session, *, keep: bool) -> Iterator[None]:
    """A nested transaction that is rolled back on an error, and at the end too unless `keep`:
    a dry run does all the work, reports it, and keeps none of it."""
    nested = session.begin_nested()
    try:
        yield
    except BaseException:
        nested.rollback()
        raise
    if keep:
        nested.commit()
    else:
        nested.rollback()
