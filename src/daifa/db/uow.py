"""The unit of work: one transaction per request, job or CLI command; only it commits."""

from __future__ import annotations

import threading
from collections import deque
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
        self._write_turn = Turn() if is_sqlite(engine) else None

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

    def checkpoint(self, session: Session) -> None:
        """Commit the work so far and let the writers waiting for their turn go first.

        For long writes (a big batch) between chunks, so one tenant's batch does not hold
        everyone's single writes for its whole length. Inside a savepoint (a dry run, a console
        action) it does nothing: what is there may yet be rolled back."""
        if not session.in_transaction() or session.in_nested_transaction():
            return
        session.commit()
        session.info[CHECKPOINTED] = True
        if self._write_turn is not None:
            self._write_turn.pass_on()

    def dispose(self) -> None:
        self.engine.dispose()


CHECKPOINTED = "daifa.checkpointed"


def checkpointed(session: Session) -> bool:
    """Whether a checkpoint committed part of this session's work already."""
    return bool(session.info.get(CHECKPOINTED))


class Turn:
    """A re-entrant lock granted in the order it was asked for (threading's locks may hand it
    straight back to the thread that just released it, so a long writer would starve others
    at every checkpoint)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._queue: deque[int] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._changed:
            if self._owner == me:
                self._depth += 1
                return
            self._queue.append(me)
            while self._owner is not None or self._queue[0] != me:
                self._changed.wait()
            self._queue.popleft()
            self._owner, self._depth = me, 1

    def release(self) -> None:
        with self._changed:
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._changed.notify_all()

    def pass_on(self) -> None:
        """Step to the back of the queue, keeping the depth held, if anyone is waiting."""
        with self._changed:
            if not self._queue:
                return
            depth, self._depth, self._owner = self._depth, 0, None
            me = threading.get_ident()
            self._queue.append(me)
            self._changed.notify_all()
            while self._owner is not None or self._queue[0] != me:
                self._changed.wait()
            self._queue.popleft()
            self._owner, self._depth = me, depth


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
