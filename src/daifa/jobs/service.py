"""Enqueue jobs in the caller's transaction; claim them, keep them and give them back.

A claim is `UPDATE ... WHERE id = ? AND status = 'queued'` (or an expired lease), checked by
rowcount, so two workers never run the same job on SQLite or PostgreSQL alike. On PostgreSQL
the candidates are first picked with `SELECT ... FOR UPDATE SKIP LOCKED`: workers claiming at
once each get different rows without waiting on one another's, and the conditional UPDATE
still decides. SQLite has no row locks and one writer at a time, so there it is the UPDATE
alone.

A claim is a lease (`lease`, the worker's `job_lease_seconds`): the worker renews it while the
job runs (`extend`); a worker that died stops renewing and another takes the job over once the
lease has run out. A worker shutting down gives back what it could not finish (`release`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select, update
from sqlalchemy.orm import Session, object_session

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.jobs.models import Job
from daifa.jobs.states import JOB_TRANSITIONS, JobStatus, backoff_seconds
from daifa.kit.clock import as_utc

LEASE = timedelta(minutes=5)


def enqueue(ctx: Ctx, kind: str, payload: dict[str, Any] | None = None,
            *, run_at: datetime | None = None) -> Job:
    now = ctx.now()
    job = Job(kind=kind, payload=payload or {}, status=JobStatus.QUEUED, run_at=run_at or now,
              created_at=now)
    ctx.session.add(job)
    return job


def _due(now: datetime) -> Any:
    return or_(
        and_(Job.status == JobStatus.QUEUED, Job.run_at <= now),
        and_(Job.status == JobStatus.RUNNING, Job.locked_until < now),
    )


def candidates(session: Session, now: datetime, limit: int) -> Select[int, str]:
    """The due jobs to try, oldest first; on PostgreSQL locked, skipping rows another worker
    is claiming (they are its, or will be)."""
    query = select(Job.id, Job.status).where(_due(now)).order_by(Job.run_at, Job.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return query


def claim(session: Session, worker: str, now: datetime, limit: int = 20,
          lease: timedelta = LEASE) -> Sequence[Job]:
    """Claim up to `limit` due jobs for this worker; each claim is a conditional UPDATE."""
    found = session.execute(candidates(session, now, limit)).all()
    claimed = [job_id for job_id, status in found
               if audit.shift(session, JOB_TRANSITIONS, Job, job_id, status,
                              "claim" if status == JobStatus.QUEUED else "reclaim",
                              where=[_due(now)], locked_by=worker, locked_until=now + lease,
                              attempts=Job.attempts + 1)]
    if not claimed:
        return []
    return session.scalars(select(Job).where(Job.id.in_(claimed)).order_by(Job.id)).all()


def extend(session: Session, worker: str, job_ids: Collection[int], until: datetime) -> int:
    """Renew the lease of those jobs this worker still holds; how many it holds."""
    if not job_ids:
        return 0
    result = session.execute(
        update(Job).where(Job.id.in_(sorted(job_ids)), Job.status == JobStatus.RUNNING,
                          Job.locked_by == worker)
        .values(locked_until=until).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, worker: str, job_id: int, now: datetime) -> bool:
    """Queue a job this worker holds again, due now, the attempt its claim counted taken back:
    the job did not fail, the worker stopped. False when the job is no longer this worker's."""
    return audit.shift(session, JOB_TRANSITIONS, Job, job_id, JobStatus.RUNNING, "release",
                       where=[Job.locked_by == worker], locked_by=None, locked_until=None,
                       run_at=now, attempts=Job.attempts - 1)


def holds_lease(job: Job, worker: str | None) -> bool:
    """Whether `worker` still runs this job: its lease may have expired and passed to another
    worker, whose outcome then stands (None: the caller does not say who it is)."""
    return worker is None or (job.status == JobStatus.RUNNING and job.locked_by == worker)


def finish(job: Job, now: datetime, *, worker: str | None = None) -> bool:
    """Done, unless the lease passed to another worker meanwhile (then its outcome stands)."""
    return _shift(job, worker, "finish", finished_at=now, locked_by=None, locked_until=None)


def fail(job: Job, now: datetime, error: str, *, worker: str | None = None) -> bool:
    """Queued again after the backoff, or failed for good once out of attempts."""
    if job.attempts >= job.max_attempts:
        return _shift(job, worker, "give_up", finished_at=now, last_error=error[:2000],
                      locked_by=None, locked_until=None)
    return _shift(job, worker, "retry", last_error=error[:2000], locked_by=None,
                  locked_until=None,
                  run_at=now + timedelta(seconds=backoff_seconds(job.attempts)))


def _shift(job: Job, worker: str | None, action: str, **values: Any) -> bool:
    if not holds_lease(job, worker):
        return False
    session = object_session(job)
    assert session is not None, "a job is finished inside the unit of work that loaded it"
    lease = [Job.locked_by == worker] if worker is not None else []
    return audit.shift(session, JOB_TRANSITIONS, Job, job.id, job.status, action, where=lease,
                       **values)


@dataclass(frozen=True)
class QueueStat:
    kind: str
    queued: int  # waiting, due or scheduled for later
    due: int  # of those, the ones whose time has come
    oldest_due_seconds: float  # how long the oldest due one has waited (0: none is due)


def queue_stats(session: Session, now: datetime) -> list[QueueStat]:
    """The queue by kind, in one query over the queued rows (the due index leads with
    status), for the metrics."""
    due = func.sum(case((Job.run_at <= now, 1), else_=0))
    rows = session.execute(
        select(Job.kind, func.count(), due, func.min(Job.run_at))
        .where(Job.status == JobStatus.QUEUED).group_by(Job.kind).order_by(Job.kind)
    ).all()
    return [QueueStat(kind, queued, int(due_count or 0),
                      max(0.0, (now - as_utc(oldest)).total_seconds()) if due_count else 0.0)
            for kind, queued, due_count, oldest in rows]
