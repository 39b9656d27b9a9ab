"""A tamper-evident audit trail: the timeline rows chained by SHA-256.

Rows are written by many transactions at once, so they are not chained as they are inserted
(that would queue every writer behind one row). The worker's sealing sweep chains them
afterwards, in id order: each row's `chain_hash` is SHA-256 over the previous row's hash and the
row's own content, and each run records a seal (where it started and ended, how many rows, the
head). Only rows older than `audit_seal_after_seconds` are sealed, so a transaction still
writing has committed first. `verify` walks the chain from the start and names the first row
whose content no longer matches its hash, a row missing from or added into sealed history, or a
seal whose rows are gone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from daifa.audit.models import AuditEvent, AuditSeal
from daifa.context import Ctx
from daifa.db.uow import savepoint

GENESIS = "0" * 64
_EVENTS = cast(Table, AuditEvent.__table__)
_SET_HASH = (update(_EVENTS).where(_EVENTS.c.id == bindparam("pk"))
             .values(chain_hash=bindparam("hash")))
BATCH = 5000
PAGE = 2000


def content(row: AuditEvent) -> bytes:
    """The row as hashed: every column but the hash, in a fixed order and form."""
    at = row.at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps([row.id, at, row.actor, row.actor_account_id, row.subject_type,
                       row.subject_id, row.type, row.from_status, row.to_status, row.reason,
                       row.data], ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode()


def link(previous: str, row: AuditEvent) -> str:
    return hashlib.sha256(previous.encode() + content(row)).hexdigest()


def _last_seal(session: Session) -> AuditSeal | None:
    return session.scalar(select(AuditSeal).order_by(AuditSeal.last_event_id.desc()).limit(1))


def seal(ctx: Ctx) -> int:
    """Sweep: chain the rows written since the last seal that are old enough; returns how many.
    Two sealers at once: the second's seal row collides on `after_event_id` and it seals nothing."""
    last = _last_seal(ctx.session)
    after, head = (last.last_event_id, last.head) if last else (0, GENESIS)
    horizon = ctx.now() - timedelta(seconds=ctx.settings.audit_seal_after_seconds)
    rows = []
    for row in ctx.session.scalars(select(AuditEvent).where(AuditEvent.id > after)
                                   .order_by(AuditEvent.id).limit(BATCH)):
        if row.at > horizon:  # a younger row, and everything after it, waits for the next run
            break
        rows.append(row)
    if not rows:
        return 0
    hashes = []
    for row in rows:
        head = link(head, row)
        hashes.append({"pk": row.id, "hash": head})
    try:
        with savepoint(ctx.session, keep=True):
            ctx.session.add(AuditSeal(after_event_id=after, last_event_id=rows[-1].id,
                                      count=len(rows), head=head, sealed_at=ctx.now()))
            ctx.session.flush()
    except IntegrityError:
        return 0  # another sealer took this stretch
    ctx.session.connection().execute(_SET_HASH, hashes)
    for row, done in zip(rows, hashes, strict=True):  # the loaded rows follow
        set_committed_value(row, "chain_hash", done["hash"])
    return len(rows)


@dataclass(frozen=True)
class Verdict:
    checked: int
    broken_event_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def verify(session: Session) -> Verdict:
    """Walk every sealed row in id order against the seals; the first break, or none."""
    head, checked, after = GENESIS, 0, 0
    for seal_row in session.scalars(select(AuditSeal).order_by(AuditSeal.after_event_id)).all():
        if seal_row.after_event_id != after:
            return Verdict(checked, seal_row.after_event_id + 1,
                           f"seal {seal_row.id} does not follow the one before it")
        count = 0
        for row in _rows(session, after, seal_row.last_event_id):
            head = link(head, row)
            checked += 1
            count += 1
            if row.chain_hash != head:
                what = ("added after its stretch was sealed" if row.chain_hash is None
                        else "changed, or a row before it was removed")
                return Verdict(checked, row.id, f"event {row.id}: {what}")
        if count != seal_row.count or head != seal_row.head:
            return Verdict(checked, seal_row.last_event_id,
                           f"seal {seal_row.id}: rows up to event {seal_row.last_event_id} "
                           "were removed")
        after = seal_row.last_event_id
    return Verdict(checked)


def _rows(session: Session, after: int, last: int) -> Iterator[AuditEvent]:
    """The rows after `after` up to `last`, page by page, memory flat over millions."""
    while True:
        page = list(session.scalars(select(AuditEvent).where(
            AuditEvent.id > after, AuditEvent.id <= last).order_by(AuditEvent.id).limit(PAGE)))
        if not page:
            return
        yield from page
        after = page[-1].id
        session.expunge_all()
