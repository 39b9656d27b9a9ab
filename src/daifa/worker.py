"""The worker: runs due jobs from the outbox and the periodic sweeps.

Each job runs in its own unit of work. A job kind maps to a handler; a sweep is a function
called every `sweep_interval_seconds` (expiring applications and invitations, deadlines ...).

Concurrency is threads: `run_forever(concurrency=N)` runs N runner threads, each claiming one
job at a time, beside the thread that runs the sweeps and a heartbeat that renews the leases of
the jobs the process holds. Jobs mostly wait, on the network (webhooks, an IoJob's middle step)
or on the database, and threads overlap waiting well, share one engine (N + 1 connections, see
`db.engine.worker_pool`) and stop together on one signal. Python runs one thread at a time, so
work that wants more cores (parsing big spreadsheets) wants more processes: run `daifa worker`
several times (the systemd template `daifa-worker@.service`). SQLite has one writer: one runner.

Exactly once: a claim is a conditional UPDATE (picked with FOR UPDATE SKIP LOCKED on
PostgreSQL), and a handler's writes commit in the unit of work that finishes its job; when the
job is no longer this runner's (its lease lapsed and passed on), they roll back (`LeaseLost`).
The handlers' own keys cover what a lapsed lease can still repeat: a webhook attempt is recorded
only over the attempt count it was sent at, a tracking body is taken by one transaction
(`processed_at`), an import lands by natural keys (external ids, codes, tracking numbers).

Sweeps run on one thread, each in its own unit of work under a PostgreSQL advisory lock named
after it (`db.locks.try_lock`, without waiting): while another worker process runs a sweep, this
one skips it for the round. Each sweep also takes only due rows with conditional UPDATEs, so
one run after another changes nothing twice.

Shutdown (`stop` set; `run_until_signalled` sets it on SIGTERM or SIGINT): no more claims; the
jobs running get `worker_grace_seconds` to end; those still running then are given back
(`jobs.release`: queued again, the attempt not counted) and their transactions roll back when
the process exits.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, TypeVar

from daifa.aftersales import sweeps as after_sales
from daifa.audit import chain
from daifa.bindings import applications, invitations
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db import locks
from daifa.db.uow import Database
from daifa.dispatch import deadlines
from daifa.fulfilment import erasure
from daifa.fulfilment.reactions import REACTIONS
from daifa.idempotency import service as idempotency
from daifa.identity import service as identity
from daifa.imports import service as imports
from daifa.jobs import service as jobs
from daifa.jobs.models import Job
from daifa.kit.clock import Clock, SystemClock
from daifa.tracking import closing, sandbox
from daifa.tracking import service as tracking
from daifa.webhooks import delivery as webhook_delivery

log = logging.getLogger("daifa.worker")
Sweep = Callable[[Ctx], int]
P = TypeVar("P")
R = TypeVar("R")


@dataclass(frozen=True)
class IoJob(Generic[P, R]):
    """A job whose middle step waits on the network. `prepare` reads (a read-only unit of
    work; None means nothing to do), `perform` runs outside any transaction, so no SQLite write
    lock is held while a remote server answers, and `record` writes the outcome in the unit of
    work that also finishes the job."""

    prepare: Callable[[Ctx, dict[str, Any]], P | None]
    perform: Callable[[P], R]
    record: Callable[[Ctx, P, R], None]


Handler = Callable[[Ctx, dict[str, Any]], None] | IoJob[Any, Any]

SWEEPS: dict[str, Sweep] = {
    "binding_applications.expire": applications.expire_due,
    "invitations.expire": invitations.expire_due,
    "dispatch_orders.expire": deadlines.expire_due,
    "dispatch_orders.mark_late": deadlines.mark_late_due,
    "tracking.sandbox": sandbox.advance,
    "tracking.deliver_due": closing.deliver_due,
    "tracking.complete_due": closing.complete_due,
    "after_sales.answer_due": after_sales.answer_due,
    "after_sales.lapse_due": after_sales.lapse_due,
    "after_sales.rejections_due": after_sales.rejections_due,
    "audit.seal": chain.seal,
    "idempotency_keys.purge": idempotency.purge,
    "orders.erase_buyers": erasure.erase_due,
    "login_throttles.expire": identity.expire_throttles,
    "imports.purge": imports.purge,
}
HANDLERS: dict[str, Handler] = {
    webhook_delivery.DELIVER_JOB: IoJob(webhook_delivery.prepare, webhook_delivery.perform,
                                        webhook_delivery.record),
    tracking.PROCESS_JOB: tracking.process,
    imports.RUN_JOB: IoJob(imports.prepare, imports.perform, imports.record),
}


RELEASE_SECONDS = 10.0  # how long a stopping worker tries to give its unfinished jobs back


class LeaseLost(Exception):
    """The job passed to another worker while this one ran it; this run's writes roll back."""


class Leases:
    """The jobs this process holds and who runs each: renewed by the heartbeat while they run
    (a job may take longer than a lease: a big import), given back on shutdown."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[int, str] = {}

    def hold(self, holder: str, job_ids: Iterable[int]) -> None:
        with self._lock:
            self._held.update(dict.fromkeys(job_ids, holder))

    def drop(self, job_id: int) -> None:
        with self._lock:
            self._held.pop(job_id, None)

    def by_holder(self) -> dict[str, list[int]]:
        with self._lock:
            held = dict(self._held)
        grouped: dict[str, list[int]] = {}
        for job_id, holder in sorted(held.items()):
            grouped.setdefault(holder, []).append(job_id)
        return grouped


@dataclass
class Worker:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    handlers: dict[str, Handler] = field(default_factory=lambda: dict(HANDLERS))
    sweeps: dict[str, Sweep] = field(default_factory=lambda: dict(SWEEPS))
    leases: Leases = field(default_factory=Leases)

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.job_lease_seconds)

    def _ctx(self, session: Any, label: str) -> Ctx:
        return Ctx(session=session, actor=Actor.system(f"worker:{label}"),
                   settings=self.settings, clock=self.clock, reactions=REACTIONS,
                   commit_point=lambda: self.db.checkpoint(session))

    def run_sweeps(self) -> dict[str, int]:
        """Each sweep no other worker process is running now; 0 for those skipped."""
        done: dict[str, int] = {}
        for name, sweep in self.sweeps.items():
            with self.db.unit_of_work() as session:
                ran = locks.try_lock(session, f"sweep:{name}")
                done[name] = sweep(self._ctx(session, name)) if ran else 0
        return done

    def run_due_jobs(self, limit: int = 20, *, stop: threading.Event | None = None,
                     holder: str | None = None) -> int:
        """Claim up to `limit` due jobs and run them one after another; once `stop` is set,
        give back those not started. How many were claimed."""
        holder = holder or self.name
        with self.db.unit_of_work() as session:
            claimed = [(job.id, job.kind, dict(job.payload)) for job in jobs.claim(
                session, holder, self.clock.now(), limit, self.lease)]
        self.leases.hold(holder, (job_id for job_id, _, _ in claimed))
        for n, (job_id, kind, payload) in enumerate(claimed):
            if stop is not None and stop.is_set():
                self.give_back({holder: [job_id for job_id, _, _ in claimed[n:]]})
                break
            try:
                self._run_one(holder, job_id, kind, payload)
            finally:
                self.leases.drop(job_id)
        return len(claimed)

    def _run_one(self, holder: str, job_id: int, kind: str, payload: dict[str, Any]) -> None:
        handler = self.handlers.get(kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {kind!r}")
            if isinstance(handler, IoJob):
                self._run_io(handler, holder, job_id, kind, payload)
                return
            with self.db.unit_of_work() as session:
                handler(self._ctx(session, kind), payload)
                self._finish(session, holder, job_id)
        except LeaseLost:
            log.warning("job %s (%s) passed to another worker meanwhile; this run's writes "
                        "were rolled back", job_id, kind)
        except Exception as exc:
            log.warning("job %s (%s) failed: %s", job_id, kind, exc)
            with self.db.unit_of_work() as session:
                jobs.fail(session.get_one(Job, job_id), self.clock.now(), repr(exc),
                          worker=holder)

    def _run_io(self, handler: IoJob[Any, Any], holder: str, job_id: int, kind: str,
                payload: dict[str, Any]) -> None:
        with self.db.unit_of_work(write=False) as session:
            work = handler.prepare(self._ctx(session, kind), payload)
        outcome = None if work is None else handler.perform(work)
        with self.db.unit_of_work() as session:
            if work is not None:
                handler.record(self._ctx(session, kind), work, outcome)
            self._finish(session, holder, job_id)

    def _finish(self, session: Any, holder: str, job_id: int) -> None:
        if not jobs.finish(session.get_one(Job, job_id), self.clock.now(), worker=holder):
            raise LeaseLost(job_id)

    def renew_leases(self) -> int:
        """Move the lease of every job this process runs on; how many it still holds."""
        held = self.leases.by_holder()
        if not held:
            return 0
        until = self.clock.now() + self.lease
        with self.db.unit_of_work() as session:
            return sum(jobs.extend(session, holder, job_ids, until)
                       for holder, job_ids in held.items())

    def give_back(self, held: dict[str, list[int]]) -> int:
        """Queue these jobs again, their attempts not counted; how many were still ours."""
        now = self.clock.now()
        with self.db.unit_of_work() as session:
            given = sum(jobs.release(session, holder, job_id, now)
                        for holder, job_ids in held.items() for job_id in job_ids)
        for job_ids in held.values():
            for job_id in job_ids:
                self.leases.drop(job_id)
        return given

    def run_forever(self, *, once: bool = False, stop: threading.Event | None = None,
                    concurrency: int = 1) -> None:
        """Sweep every `sweep_interval_seconds` and run due jobs on `concurrency` threads,
        until `stop`; then wind down (the module's docstring)."""
        stop = stop or threading.Event()
        if once:  # a failure raises: the caller (cron, a test) sees it
            swept = self.run_sweeps()
            if any(swept.values()):
                log.info("sweeps: %s", swept)
            self.run_due_jobs()
            return
        beating = threading.Event()
        _start(self._keep_leases, beating, name="daifa-leases")
        # The sweeps on a thread of their own too: on SQLite a sweep waits for the write turn
        # a long job holds, and the caller's thread must stay free to wind down.
        threads = [_start(self._sweep_until, stop, name="daifa-sweeps"),
                   *(_start(self._run_jobs, stop, f"{self.name}/{n}", name=f"daifa-runner-{n}")
                     for n in range(concurrency))]
        try:
            while not stop.wait(1.0):
                pass
        finally:
            stop.set()
            self._wind_down(threads)
            beating.set()

    def _sweep_until(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._sweep_round()
            stop.wait(self.settings.sweep_interval_seconds)

    def _sweep_round(self) -> None:
        try:
            swept = self.run_sweeps()
        except Exception:  # the database may be back by the next round
            log.exception("sweeps failed")
            return
        if any(swept.values()):
            log.info("sweeps: %s", swept)

    def _run_jobs(self, stop: threading.Event, holder: str) -> None:
        """One runner: claim a job, run it, again; wait a poll when there is none."""
        while not stop.is_set():
            try:
                ran = self.run_due_jobs(1, stop=stop, holder=holder)
            except Exception:  # the database may be back by the next poll
                log.exception("claiming jobs failed")
                ran = 0
            if not ran:
                stop.wait(self.settings.worker_poll_seconds)

    def _keep_leases(self, done: threading.Event) -> None:
        while not done.wait(self.settings.job_lease_seconds / 3):
            try:
                self.renew_leases()
            except Exception:  # a lease lapses only after three misses in a row
                log.exception("renewing leases failed")

    def _wind_down(self, threads: list[threading.Thread]) -> None:
        """Let the running jobs and sweeps end within the grace period, then give back the
        jobs still running."""
        deadline = time.monotonic() + self.settings.worker_grace_seconds
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        held = self.leases.by_holder()
        if not held:
            return
        log.warning("giving back jobs still running after %ss: %s",
                    self.settings.worker_grace_seconds, held)
        # On another thread with a time limit: on SQLite a job still running may hold the
        # write turn. What cannot be given back is taken over once its lease lapses.
        _start(self.give_back, held, name="daifa-give-back").join(RELEASE_SECONDS)


def _start(target: Callable[..., Any], *args: Any, name: str) -> threading.Thread:
    """A daemon thread: one stuck in a job does not keep the process from exiting."""
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)
    thread.start()
    return thread


def run_until_signalled(worker: Worker, concurrency: int) -> None:
    """`daifa worker`: run until SIGTERM or SIGINT, then wind down (main thread only)."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        log.info("%s: stopping: no more claims, %ss for the jobs running",
                 signal.Signals(signum).name, worker.settings.worker_grace_seconds)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    log.info("worker %s running %d job(s) at a time", worker.name, concurrency)
    worker.run_forever(stop=stop, concurrency=concurrency)
    log.info("worker %s stopped", worker.name)
