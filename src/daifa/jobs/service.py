"""Enqueue jobs in the caller's transaction; claim them with a conditional UPDATE.

A claim is `UPDATE ... WHERE id = ? AND status = 'queued'` (or an expired lease), checked by
rowcount, so two workers never run the same job on SQLite or PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from daifa.context import Ctx
from daifa.jobs.models import Job
from daifa.jobs.states import JOB_TRANSITIONS, JobStatus, backoff_seconds

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


def claim(session: Session, worker: str, now: datetime, limit: int = 20) -> Sequence[Job]:
    """Claim up to `limit` due jobs for this worker; each claim is a conditional UPDATE."""
    candidates = session.scalars(
        select(Job.id).where(_due(now)).order_by(Job.run_at, Job.id).limit(limit)
    ).all()
    claimed: list[int] = []
    for job_id in candidates:
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, _due(now))
            .values(status=JobStatus.RUNNING, locked_by=worker, locked_until=now + LEASE,
                    attempts=Job.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(job_id)
    if not claimed:
        return []
    return session.scalars(select(Job).where(Job.id.in_(claimed)).order_by(Job.id)).all()


def holds_lease(job: Job, worker: str | None) -> bool:
    """Whether `worker` still runs this job: its lease may have expired and passed to another
    worker, whose outcome then stands (None: the caller does not say who it is)."""
    return worker is None or (job.status == JobStatus.RUNNING and job.locked_by == worker)


def finish(job: Job, now: datetime, *, worker: str | None = None) -> bool:
    if not holds_lease(job, worker):
        return False
    job.status = JOB_TRANSITIONS.next(JobStatus(job.status), "finish").target
    job.finished_at = now
    job.locked_by = None
    job.locked_until = None
    return True


def fail(job: Job, now: datetime, error: str, *, worker: str | None = None) -> bool:
    if not holds_lease(job, worker):
        return False
    job.last_error = error[:2000]
    job.locked_by = None
    job.locked_until = None
    if job.attempts >= job.max_attempts:
        job.status = JOB_TRANSITIONS.next(JobStatus(job.status), "give_up").target
        job.finished_at = now
    else:
        job.status = JOB_TRANSITIONS.next(JobStatus(job.status), "retry").target
        job.run_at = now + timedelta(seconds=backoff_seconds(job.attempts))
    return True
