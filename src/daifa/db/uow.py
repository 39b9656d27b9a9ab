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
    at every checkpoint). A release wakes the next waiter only: waking them all to see whose
    turn it is cost a tenth of a busy server's time."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._queue: deque[tuple[int, threading.Lock]] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._guard:
            if self._owner == me:
                self._depth += 1
                return
            if self._owner is None and not self._queue:
                self._owner, self._depth = me, 1
                return
            wake = self._wait_in_line(me)
        wake.acquire()  # released by the thread that hands over the turn
        self._depth = 1

    def release(self) -> None:
        with self._guard:
            self._depth -= 1
            if self._depth == 0:
                self._hand_over()

    def pass_on(self) -> None:
        """Step to the back of the queue, keeping the depth held, if anyone is waiting."""
        me = threading.get_ident()
        with self._guard:
            if not self._queue:
                return
            depth = self._depth
            wake = self._wait_in_line(me)
            self._hand_over()
        wake.acquire()
        self._depth = depth

    def _wait_in_line(self, me: int) -> threading.Lock:
        wake = threading.Lock()
        wake.acquire()
        self._queue.append((me, wake))
        return wake

    def _hand_over(self) -> None:
        """The turn to the first in line (the guard is held)."""
        if self._queue:
            self._owner, wake = self._queue.popleft()
            wake.release()
        else:
            self._owner = None


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
