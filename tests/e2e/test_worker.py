"""The worker: sweeps that expire what nobody answered, and the job table's claims and retries."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from daifa.audit import service as audit
from daifa.audit.models import AuditEvent
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db import locks
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from daifa.jobs import service as jobs
from daifa.jobs.models import Job
from daifa.kit.clock import FrozenClock
from daifa.worker import Worker
from tests import factories
from tests.api.support import ok
from tests.e2e.concurrency import rendezvous


def _worker(settings: Settings, db: Database, clock: FrozenClock, name: str = "w1",
            **handlers: Any) -> Worker:
    return Worker(settings=settings, db=db, clock=clock, name=name,
                  handlers=dict(handlers))


def _enqueue(db: Database, settings: Settings, clock: FrozenClock, kind: str, count: int = 1,
             max_attempts: int = 10) -> list[int]:
    with db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=settings, clock=clock)
        made = [jobs.enqueue(ctx, kind, {"n": n}) for n in range(count)]
        for job in made:
            job.max_attempts = max_attempts
        session.flush()
        return [job.id for job in made]


def _job(db: Database, job_id: int) -> Job:
    with db.unit_of_work() as session:  # a committing unit keeps loaded objects readable
        return session.get_one(Job, job_id)


def _events(db: Database, *types: str) -> Sequence[AuditEvent]:
    with db.unit_of_work() as session:  # a committing unit keeps loaded objects readable
        return session.scalars(select(AuditEvent).where(AuditEvent.type.in_(types))
                               .order_by(AuditEvent.id)).all()


def _binding_sweeps(worker: Worker) -> dict[str, int]:
    """What the binding sweeps did this round (other domains' sweeps run too)."""
    done = worker.run_sweeps()
    return {name: done[name] for name in ("binding_applications.expire", "invitations.expire")}


def test_sweeps_expire_applications_and_invitations(client: TestClient, db: Database,
                                                    settings: Settings,
                                                    clock: FrozenClock) -> None:
    platform = factories.admin(client)
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    owner = factories.person(client)
    waiting, answered = (factories.supplier(client, owner, approve_with=platform)
                         for _ in range(2))
    url = f"/api/v1/shops/{shop_id}/binding-applications"
    pending = ok(client.post(url, json={"supplier_id": waiting}, headers=merchant.headers), 201)
    approved = ok(client.post(url, json={"supplier_id": answered}, headers=merchant.headers),
                  201)
    ok(client.post(f"/api/v1/suppliers/{answered}/binding-applications/{approved['id']}/approve",
                   headers=owner.headers))
    short = factories.invitation(client, merchant, shop_id, expires_in_hours=1)["token"]
    long = factories.invitation(client, merchant, shop_id)["token"]
    revoked = factories.invitation(client, merchant, shop_id, expires_in_hours=1)["token"]
    ok(client.delete(f"/api/v1/shops/{shop_id}/invitations/{revoked}", headers=merchant.headers))
    worker = _worker(settings, db, clock)

    assert _binding_sweeps(worker) == {"binding_applications.expire": 0, "invitations.expire": 0}
    clock.advance(timedelta(hours=1))
    assert _binding_sweeps(worker) == {"binding_applications.expire": 0, "invitations.expire": 1}
    clock.advance(timedelta(days=settings.application_ttl_days))
    assert _binding_sweeps(worker) == {"binding_applications.expire": 1, "invitations.expire": 1}
    assert _binding_sweeps(worker) == {"binding_applications.expire": 0, "invitations.expire": 0}

    statuses = {a["id"]: a["status"] for a in ok(client.get(url, headers=merchant.headers))[
        "items"]}
    assert statuses == {pending["id"]: "expired", approved["id"]: "approved"}
    assert [ok(client.get(f"/api/v1/invitations/{t}"))["status"]
            for t in (short, long, revoked)] == ["expired", "expired", "revoked"]
    events = _events(db, "binding_application.expire", "invitation.expire")
    assert [(e.type, e.actor, e.actor_account_id, e.from_status, e.to_status) for e in events] == [
        ("invitation.expire", "worker:invitations.expire", None, "active", "expired"),
        ("binding_application.expire", "worker:binding_applications.expire", None, "pending",
         "expired"),
        ("invitation.expire", "worker:invitations.expire", None, "active", "expired"),
    ]
    assert all(e.reason for e in events)


def test_run_forever_once_sweeps_and_runs_jobs(client: TestClient, db: Database,
                                               settings: Settings, clock: FrozenClock) -> None:
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    token = factories.invitation(client, merchant, shop_id, expires_in_hours=1)["token"]
    seen: list[dict[str, Any]] = []
    [job_id] = _enqueue(db, settings, clock, "note")
    clock.advance(timedelta(hours=2))
    _worker(settings, db, clock, note=lambda ctx, payload: seen.append(payload)).run_forever(
        once=True)
    assert ok(client.get(f"/api/v1/invitations/{token}"))["status"] == "expired"
    assert seen == [{"n": 0}]
    assert _job(db, job_id).status == "done"


def test_a_job_runs_in_its_own_unit_of_work(db: Database, settings: Settings,
                                            clock: FrozenClock) -> None:
    def handler(ctx: Ctx, payload: dict[str, Any]) -> None:
        audit.record(ctx, "test", payload["n"], "test.handled")

    [job_id] = _enqueue(db, settings, clock, "record")
    assert _worker(settings, db, clock, record=handler).run_due_jobs() == 1
    job = _job(db, job_id)
    assert (job.status, job.attempts, job.finished_at, job.locked_by) == (
        "done", 1, clock.now(), None)
    [event] = _events(db, "test.handled")
    assert event.actor == "worker:record"


def test_a_failing_job_retries_with_backoff_then_fails(db: Database, settings: Settings,
                                                       clock: FrozenClock) -> None:
    def handler(ctx: Ctx, payload: dict[str, Any]) -> None:
        audit.record(ctx, "test", payload["n"], "test.half_done")
        raise RuntimeError("carrier down")

    [job_id] = _enqueue(db, settings, clock, "flaky", max_attempts=3)
    worker = _worker(settings, db, clock, flaky=handler)
    waits = []
    for attempt in (1, 2):
        assert worker.run_due_jobs() == 1
        job = _job(db, job_id)
        assert (job.status, job.attempts) == ("queued", attempt)
        assert "carrier down" in (job.last_error or "")
        waits.append(job.run_at - clock.now())
        clock.advance(job.run_at - clock.now() - timedelta(seconds=1))
        assert worker.run_due_jobs() == 0  # not due yet
        clock.advance(timedelta(seconds=1))
    assert waits == [timedelta(seconds=10), timedelta(seconds=20)]
    assert worker.run_due_jobs() == 1
    job = _job(db, job_id)
    assert (job.status, job.attempts, job.finished_at) == ("failed", 3, clock.now())
    clock.advance(timedelta(days=1))
    assert worker.run_due_jobs() == 0
    assert _events(db, "test.half_done") == []  # each failed attempt was rolled back


def test_a_job_of_an_unknown_kind_fails_like_any_other(db: Database, settings: Settings,
                                                       clock: FrozenClock) -> None:
    [job_id] = _enqueue(db, settings, clock, "nobody-handles-this", max_attempts=1)
    assert _worker(settings, db, clock).run_due_jobs() == 1
    job = _job(db, job_id)
    assert job.status == "failed" and "no handler" in (job.last_error or "")


def test_a_job_scheduled_for_later_waits(db: Database, settings: Settings,
                                         clock: FrozenClock) -> None:
    with db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=settings, clock=clock)
        jobs.enqueue(ctx, "later", run_at=clock.now() + timedelta(minutes=5))
    ran: list[int] = []
    worker = _worker(settings, db, clock, later=lambda ctx, payload: ran.append(1))
    assert worker.run_due_jobs() == 0
    clock.advance(timedelta(minutes=5))
    assert worker.run_due_jobs() == 1 and ran == [1]


def test_an_abandoned_claim_is_taken_over_after_its_lease(db: Database, settings: Settings,
                                                          clock: FrozenClock) -> None:
    [job_id] = _enqueue(db, settings, clock, "slow")
    with db.unit_of_work() as session:
        assert [j.id for j in jobs.claim(session, "crashed", clock.now())] == [job_id]
    ran: list[int] = []
    rescuer = _worker(settings, db, clock, name="rescuer", slow=lambda c, p: ran.append(1))
    assert rescuer.run_due_jobs() == 0  # still leased
    clock.advance(jobs.LEASE + timedelta(seconds=1))
    assert rescuer.run_due_jobs() == 1
    job = _job(db, job_id)
    assert (job.status, job.attempts, ran) == ("done", 2, [1])


@pytest.mark.parametrize("rounds", [4])
def test_concurrent_claims_are_disjoint(db: Database, settings: Settings, clock: FrozenClock,
                                        rounds: int) -> None:
    for _ in range(rounds):
        made = set(_enqueue(db, settings, clock, "bulk", count=30))
        claimed = _claim_concurrently(db, clock)
        first, second = claimed["a"], claimed["b"]
        assert not first & second
        assert first | second <= made
        assert len(first | second) >= 20  # at least one full batch went through
        with db.unit_of_work() as session:  # a committing unit keeps loaded objects readable
            rows = session.scalars(select(Job).where(Job.id.in_(made))).all()
        for row in rows:
            owner = "a" if row.id in first else "b" if row.id in second else None
            assert row.locked_by == owner
            assert row.status == ("running" if owner else "queued")
        # What is left (on PostgreSQL nothing: SKIP LOCKED gave the second racer the rows the
        # first had locked past, not the same ones)
        rest = _claim_concurrently(db, clock, race=False)
        assert not rest["a"] & rest["b"]
        assert first | second | rest["a"] | rest["b"] == made
        clock.advance(timedelta(seconds=1))
        with db.unit_of_work() as session:
            for row in session.scalars(select(Job).where(Job.id.in_(made))):
                jobs.finish(row, clock.now())


def _claim_concurrently(db: Database, clock: FrozenClock,
                        race: bool = True) -> dict[str, set[int]]:
    start = threading.Barrier(2)

    def claim(name: str) -> set[int]:
        start.wait(timeout=10)
        with db.unit_of_work() as session:
            return {job.id for job in jobs.claim(session, name, clock.now(), limit=20)}

    with rendezvous(db, "UPDATE jobs SET") as met, ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(claim, name) for name in ("a", "b")}
        result = {name: future.result(timeout=60) for name, future in futures.items()}
    if race and db.engine.dialect.name == "postgresql":
        assert len(set(met)) == 2
    return result


@pytest.mark.parametrize("slow_outcome", ["succeeds", "raises"])
def test_a_worker_that_lost_its_lease_leaves_the_new_holders_outcome(
        db: Database, settings: Settings, clock: FrozenClock, slow_outcome: str) -> None:
    [job_id] = _enqueue(db, settings, clock, "slow")
    rescuer = _worker(settings, db, clock, name="rescuer", slow=lambda ctx, payload: None)

    def slow(ctx: Ctx, payload: dict[str, Any]) -> None:
        clock.advance(jobs.LEASE + timedelta(seconds=1))
        assert rescuer.run_due_jobs() == 1  # the lease ran out: another worker takes over
        if slow_outcome == "raises":
            raise RuntimeError("too late anyway")

    assert _worker(settings, db, clock, name="slow", slow=slow).run_due_jobs() == 1
    job = _job(db, job_id)
    assert (job.status, job.attempts, job.locked_by, job.last_error) == ("done", 2, None, None)


def test_a_job_given_back_is_queued_again_its_attempt_not_counted(
        db: Database, settings: Settings, clock: FrozenClock) -> None:
    first, second = _enqueue(db, settings, clock, "slow", count=2)
    with db.unit_of_work() as session:
        jobs.claim(session, "w1", clock.now())
    clock.advance(timedelta(seconds=5))
    worker = _worker(settings, db, clock, name="w1")
    assert worker.give_back({"w1": [first], "someone-else": [second]}) == 1
    job = _job(db, first)
    assert (job.status, job.attempts, job.locked_by, job.locked_until, job.run_at) == (
        "queued", 0, None, None, clock.now())
    assert _job(db, second).status == "running"  # not this worker's to give back


def test_a_stopped_worker_gives_back_the_jobs_it_claimed_and_did_not_start(
        db: Database, settings: Settings, clock: FrozenClock) -> None:
    made = _enqueue(db, settings, clock, "stopper", count=3)
    stop = threading.Event()
    worker = _worker(settings, db, clock, stopper=lambda ctx, payload: stop.set())
    assert worker.run_due_jobs(stop=stop) == 3
    assert [(_job(db, i).status, _job(db, i).attempts) for i in made] == [
        ("done", 1), ("queued", 0), ("queued", 0)]
    assert worker.leases.by_holder() == {}


def test_renewing_moves_the_lease_of_the_jobs_still_held(db: Database, settings: Settings,
                                                         clock: FrozenClock) -> None:
    kept, lost = _enqueue(db, settings, clock, "slow", count=2)
    worker = _worker(settings, db, clock, name="w1")
    with db.unit_of_work() as session:
        jobs.claim(session, "w1", clock.now(), lease=timedelta(seconds=2))
        # `lost` lapsed meanwhile and another worker took it over
        session.execute(update(Job).where(Job.id == lost).values(locked_by="w2"))
    worker.leases.hold("w1", [kept, lost])
    clock.advance(timedelta(seconds=1))
    assert worker.renew_leases() == 1
    assert _job(db, kept).locked_until == clock.now() + worker.lease
    assert _job(db, lost).locked_until == clock.now() + timedelta(seconds=1)  # untouched


def test_postgresql_claims_skip_rows_another_transaction_locked(
        db: Database, settings: Settings, clock: FrozenClock) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no row locks; its claims are the conditional UPDATE alone")
    locked, *free = _enqueue(db, settings, clock, "bulk", count=3)
    with db.engine.connect() as other, other.begin():
        other.execute(select(Job.id).where(Job.id == locked).with_for_update())
        began = time.monotonic()
        with db.unit_of_work() as session:
            session.execute(text("SET LOCAL lock_timeout = '5s'"))
            assert "FOR UPDATE SKIP LOCKED" in str(
                jobs.candidates(session, clock.now(), 20).compile(session.get_bind()))
            claimed = [job.id for job in jobs.claim(session, "w1", clock.now())]
        assert time.monotonic() - began < 1.0  # did not wait for the other transaction
    assert claimed == free
    assert _job(db, locked).status == "queued"


def test_a_sweep_another_process_is_running_is_skipped(db: Database, settings: Settings,
                                                       clock: FrozenClock) -> None:
    ran: list[str] = []
    worker = Worker(settings=settings, db=db, clock=clock, handlers={},
                    sweeps={"a": lambda ctx: ran.append("a") or 1,
                            "b": lambda ctx: ran.append("b") or 1})
    with db.unit_of_work() as other:
        assert locks.try_lock(other, "sweep:a")
        if db.engine.dialect.name == "postgresql":
            assert worker.run_sweeps() == {"a": 0, "b": 1}
            assert ran == ["b"]
    # SQLite: the other writer holds the one write lock, so the sweeps run only after it
    assert worker.run_sweeps() == {"a": 1, "b": 1}
