"""Named locks held for one transaction, so two processes do not do the same work at once.

PostgreSQL: `pg_try_advisory_xact_lock`, released when the transaction ends (commit or
rollback, a crashed process's too). SQLite needs none: a writer's transaction holds the one
write lock of the file, so two writing transactions never overlap.
"""

from __future__ import annotations

import zlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

# The first half of the two-key lock: daifa's locks apart from any other application's on the
# same database.
NAMESPACE = 0x0DA1FA


def try_lock(session: Session, name: str) -> bool:
    """Take the lock `name` until the session's transaction ends; False when another
    transaction holds it (it does not wait)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    key = zlib.crc32(name.encode()) - 2**31  # the second key is a signed 32-bit integer
    return bool(session.scalar(select(func.pg_try_advisory_xact_lock(NAMESPACE, key))))
