"""`audit.shift`: a status move along its table without a timeline row, refused when the table
has no such move, when the row moved meanwhile, or when an extra condition fails; nothing
changes then."""

from __future__ import annotations

from sqlalchemy import select, update

from daifa.audit import service as audit
from daifa.audit.models import AuditEvent
from daifa.context import Ctx
from daifa.jobs import service as jobs
from daifa.jobs.models import Job
from daifa.jobs.states import JOB_TRANSITIONS, JobStatus


def _queued(ctx: Ctx) -> Job:
    job = jobs.enqueue(ctx, "test.shift")
    ctx.session.flush()
    return job


def test_a_move_the_table_has_happens_and_writes_no_timeline_row(system_ctx: Ctx) -> None:
    job = _queued(system_ctx)
    events = system_ctx.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()))
    assert audit.shift(system_ctx.session, JOB_TRANSITIONS, Job, job.id, job.status, "claim",
                       locked_by="w1")
    assert (job.status, job.locked_by) == (JobStatus.RUNNING, "w1")
    assert system_ctx.session.scalar(
        select(AuditEvent.id).order_by(AuditEvent.id.desc())) == events


def test_a_move_the_table_lacks_is_refused_and_changes_nothing(system_ctx: Ctx) -> None:
    job = _queued(system_ctx)
    assert not audit.shift(system_ctx.session, JOB_TRANSITIONS, Job, job.id, job.status,
                           "finish")
    system_ctx.session.refresh(job)
    assert job.status == JobStatus.QUEUED


def test_a_row_that_moved_meanwhile_is_not_moved_again(system_ctx: Ctx) -> None:
    job = _queued(system_ctx)
    read = job.status
    system_ctx.session.execute(update(Job).where(Job.id == job.id)
                               .values(status=JobStatus.RUNNING, locked_by="other")
                               .execution_options(synchronize_session=False))
    assert not audit.shift(system_ctx.session, JOB_TRANSITIONS, Job, job.id, read, "claim",
                           locked_by="w1")
    system_ctx.session.refresh(job)
    assert job.locked_by == "other"


def test_an_extra_condition_that_fails_refuses_the_move(system_ctx: Ctx) -> None:
    job = _queued(system_ctx)
    audit.shift(system_ctx.session, JOB_TRANSITIONS, Job, job.id, job.status, "claim",
                locked_by="w1")
    assert not audit.shift(system_ctx.session, JOB_TRANSITIONS, Job, job.id, job.status,
                           "finish", where=[Job.locked_by == "w2"])
    system_ctx.session.refresh(job)
    assert job.status == JobStatus.RUNNING
