"""The worker: runs due jobs from the outbox and the periodic sweeps.

Each job runs in its own unit of work. A job kind maps to a handler; a sweep is a function
called every `sweep_interval_seconds` (expiring applications and invitations, deadlines ...).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from daifa.aftersales import sweeps as after_sales
from daifa.audit import chain
from daifa.bindings import applications, invitations
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.uow import Database
from daifa.dispatch import deadlines
from daifa.fulfilment import erasure
from daifa.fulfilment.reactions import REACTIONS
from daifa.idempotency import service as idempotency
from daifa.identity import service as identity
from daifa.imports import service as imports
from daifa.jobs import service as jobs
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


@dataclass
class Worker:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    handlers: dict[str, Handler] = field(default_factory=lambda: dict(HANDLERS))
    sweeps: dict[str, Sweep] = field(default_factory=lambda: dict(SWEEPS))

    def _ctx(self, session: Any, label: str) -> Ctx:
        return Ctx(session=session, actor=Actor.system(f"worker:{label}"),
                   settings=self.settings, clock=self.clock, reactions=REACTIONS,
                   commit_point=lambda: self.db.checkpoint(session))

    def run_sweeps(self) -> dict[str, int]:
        done: dict[str, int] = {}
        for name, sweep in self.sweeps.items():
            with self.db.unit_of_work() as session:
                done[name] = sweep(self._ctx(session, name))
        return done

    def run_due_jobs(self) -> int:
        with self.db.unit_of_work() as session:
            claimed = [(job.id, job.kind, dict(job.payload))
                       for job in jobs.claim(session, self.name, self.clock.now())]
        for job_id, kind, payload in claimed:
            self._run_one(job_id, kind, payload)
        return len(claimed)

    def _run_one(self, job_id: int, kind: str, payload: dict[str, Any]) -> None:
        from daifa.jobs.models import Job

        handler = self.handlers.get(kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for job kind {kind!r}")
            if isinstance(handler, IoJob):
                self._run_io(handler, job_id, kind, payload)
                return
            with self.db.unit_of_work() as session:
                handler(self._ctx(session, kind), payload)
                job = session.get_one(Job, job_id)
                jobs.finish(job, self.clock.now(), worker=self.name)
        except Exception as exc:
            log.warning("job %s (%s) failed: %s", job_id, kind, exc)
            with self.db.unit_of_work() as session:
                jobs.fail(session.get_one(Job, job_id), self.clock.now(), repr(exc),
                          worker=self.name)

    def _run_io(self, handler: IoJob[Any, Any], job_id: int, kind: str,
                payload: dict[str, Any]) -> None:
        from daifa.jobs.models import Job

        with self.db.unit_of_work(write=False) as session:
            work = handler.prepare(self._ctx(session, kind), payload)
        outcome = None if work is None else handler.perform(work)
        with self.db.unit_of_work() as session:
            if work is not None:
                handler.record(self._ctx(session, kind), work, outcome)
            jobs.finish(session.get_one(Job, job_id), self.clock.now(), worker=self.name)

    def run_forever(self, *, once: bool = False,
                    stop: threading.Event | None = None) -> None:
        """Sweep every `sweep_interval_seconds`, run due jobs, sleep when idle; until `stop`."""
        stop = stop or threading.Event()
        last_sweep = 0.0
        while not stop.is_set():
            if time.monotonic() - last_sweep >= self.settings.sweep_interval_seconds or once:
                swept = self.run_sweeps()
                last_sweep = time.monotonic()
                if any(swept.values()):
                    log.info("sweeps: %s", swept)
            ran = self.run_due_jobs()
            if once:
                return
            if not ran:
                stop.wait(self.settings.worker_poll_seconds)
