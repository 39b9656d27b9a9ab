"""The unit of work: one transaction per request, job or CLI command; only it commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from daifa.db.engine import WRITE_OPTION


class Database:
    """Owns the engine and hands out sessions for reading or writing."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = sessionmaker(bind=engine, expire_on_commit=False)
        self._writer = sessionmaker(
            bind=engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """Commit when the block ends normally, roll back when it raises."""
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
