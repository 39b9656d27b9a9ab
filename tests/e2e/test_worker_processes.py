"""`daifa worker` processes on one database: racing on many jobs, killed with a job claimed,
stopped by SIGTERM mid-job. The processes run tests/e2e/worker_proc.py: the CLI's own loop and
signal handling with a job kind whose every committed run leaves a row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from daifa.audit.models import AuditEvent
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from daifa.jobs import service as jobs
from daifa.jobs.models import Job
from daifa.kit.clock import SystemClock
from tests.e2e.served import server_env
from tests.e2e.worker_proc import COUNT_JOB, RAN

ROOT = Path(__file__).resolve().parents[2]
LEASE = 1.5  # seconds; the heartbeat renews it every half second


class Procs:
    """Worker processes started by a test, all stopped at its end whatever it did."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.env = server_env(database_url, workdir)
        self.workdir = workdir
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, concurrency: int = 1, *, grace: float = 10.0,
              lease: float = LEASE) -> subprocess.Popen[bytes]:
        env = {**self.env, "DAIFA_JOB_LEASE_SECONDS": str(lease),
               "DAIFA_WORKER_GRACE_SECONDS": str(grace), "DAIFA_WORKER_POLL_SECONDS": "0.1",
               "DAIFA_LOG_FORMAT": "text", "PYTHONPATH": str(ROOT)}
        log = (self.workdir / f"worker-{len(self.started)}.log").open("ab")
        proc = subprocess.Popen([sys.executable, "-m", "tests.e2e.worker_proc",
                                 str(concurrency)], env=env, cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.started.append(proc)
        wait_for(lambda: b"running" in self.log(proc), "the worker to start", proc)
        return proc

    def log(self, proc: subprocess.Popen[bytes]) -> bytes:
        return (self.workdir / f"worker-{self.started.index(proc)}.log").read_bytes()

    def stop_all(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


@pytest.fixture
def procs(database_url: str, db: Database, tmp_path: Path) -> Iterator[Procs]:
    running = Procs(database_url, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


def wait_for(ready: Callable[[], bool], what: str, proc: subprocess.Popen[bytes] | None = None,
             seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert proc is None or proc.poll() is None, f"the worker exited waiting for {what}"
        assert time.monotonic() < deadline, f"waited {seconds:.0f} s for {what}"
        time.sleep(0.05)


def enqueue(db: Database, settings: Settings, payloads: list[dict[str, Any]]) -> list[int]:
    """Due now by the real clock, which the worker processes read."""
    with db.unit_of_work() as session:
        ctx = Ctx(reactions=REACTIONS, session=session, actor=Actor.system("test"),
                  settings=settings, clock=SystemClock())
        made = [jobs.enqueue(ctx, COUNT_JOB, payload) for payload in payloads]
        session.flush()
        return [job.id for job in made]


def job(db: Database, job_id: int) -> tuple[str, int, str | None]:
    with db.unit_of_work(write=False) as session:
        row = session.get_one(Job, job_id)
        return row.status, row.attempts, row.locked_by


def runs(db: Database) -> Counter[str]:
    """Committed runs per job payload `n`."""
    with db.unit_of_work(write=False) as session:
        return Counter(session.scalars(select(AuditEvent.subject_id)
                                       .where(AuditEvent.type == RAN)))


def pids(db: Database) -> set[int]:
    with db.unit_of_work(write=False) as session:
        return {int(data["pid"]) for data in session.scalars(
            select(AuditEvent.data).where(AuditEvent.type == RAN))}


def all_done(db: Database, ids: list[int]) -> bool:
    with db.unit_of_work(write=False) as session:
        return set(session.scalars(select(Job.status).where(Job.id.in_(ids)))) == {"done"}


def terminate(proc: subprocess.Popen[bytes], within: float) -> float:
    """SIGTERM; the seconds until it exited, which must be 0 within `within`."""
    began = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=within + 5) == 0
    return time.monotonic() - began


def test_two_worker_processes_run_200_jobs_each_exactly_once(
        procs: Procs, db: Database, settings: Settings, database_url: str) -> None:
    threads = 2 if database_url.startswith("postgresql") else 1  # SQLite: one writer
    # A lease no job here outlasts: on SQLite two processes' writers may wait on each other
    # longer than LEASE, and a lapsed lease is another test's subject
    workers = [procs.start(threads, lease=60), procs.start(threads, lease=60)]
    ids = enqueue(db, settings, [{"n": n, "sleep": 0.01} for n in range(200)])
    wait_for(lambda: all_done(db, ids), "200 jobs")
    for proc in workers:
        terminate(proc, within=10)
    assert runs(db) == Counter({str(n): 1 for n in range(200)})
    assert {job(db, job_id)[1] for job_id in ids} == {1}  # each claimed once
    assert pids(db) == {proc.pid for proc in workers}  # both took part


def test_a_killed_workers_job_is_taken_over_once_its_lease_lapses(
        procs: Procs, db: Database, settings: Settings, tmp_path: Path) -> None:
    hold = tmp_path / "hold"
    hold.touch()
    [job_id] = enqueue(db, settings, [{"n": 1, "hold": str(hold)}])
    first = procs.start()
    wait_for(lambda: job(db, job_id)[0] == "running", "the claim", first)
    time.sleep(LEASE * 2)  # longer than a lease: the heartbeat keeps it
    assert job(db, job_id)[0] == "running" and str(first.pid) in str(job(db, job_id)[2])
    first.kill()
    first.wait()
    hold.unlink()
    second = procs.start()
    wait_for(lambda: job(db, job_id)[0] == "done", "the takeover", second, seconds=LEASE + 30)
    assert job(db, job_id)[1] == 2  # the killed claim counted
    assert runs(db) == Counter({"1": 1})  # the killed run's row rolled back with it
    assert pids(db) == {second.pid}
    terminate(second, within=10)


def test_sigterm_lets_the_running_job_finish_within_the_grace_period(
        procs: Procs, db: Database, settings: Settings) -> None:
    [job_id] = enqueue(db, settings, [{"n": 1, "sleep": 1.5}])
    worker = procs.start(grace=10)
    wait_for(lambda: job(db, job_id)[0] == "running", "the claim", worker)
    assert terminate(worker, within=10) < 10
    assert job(db, job_id) == ("done", 1, None)
    assert runs(db) == Counter({"1": 1})


def test_sigterm_gives_back_a_job_that_outlasts_the_grace_period(
        procs: Procs, db: Database, settings: Settings, database_url: str,
        tmp_path: Path) -> None:
    hold = tmp_path / "hold"
    hold.touch()
    [job_id, waiting] = enqueue(db, settings, [{"n": 1, "hold": str(hold)}, {"n": 2}])
    worker = procs.start(grace=1)
    wait_for(lambda: job(db, job_id)[0] == "running", "the claim", worker)
    terminate(worker, within=1 + 10)
    if database_url.startswith("postgresql"):
        assert job(db, job_id) == ("queued", 0, None)  # given back, the attempt not counted
    else:
        # SQLite: the stuck run held the one write lock, so nothing could be written; the
        # job waits for its lease to lapse
        assert job(db, job_id)[:2] == ("running", 1)
    assert runs(db) == Counter()  # the unfinished run's row rolled back
    hold.unlink()
    again = procs.start()
    wait_for(lambda: all_done(db, [job_id, waiting]), "the jobs", again, seconds=LEASE + 30)
    assert runs(db) == Counter({"1": 1, "2": 1})
    terminate(again, within=10)


@pytest.mark.skipif(os.name != "posix", reason="signals")
def test_sigint_stops_a_worker_like_sigterm(procs: Procs) -> None:
    worker = procs.start()
    began = time.monotonic()
    worker.send_signal(signal.SIGINT)
    assert worker.wait(timeout=15) == 0
    assert time.monotonic() - began < 15
    assert b"stopped" in procs.log(worker)
