"""`daifa worker` as the CLI runs it (run_until_signalled), with two test job kinds beside the
real ones, for tests that start, kill and signal worker processes:

    python -m tests.e2e.worker_proc CONCURRENCY

`test.count` writes one timeline row per run that commits (so a job run twice shows twice,
with the pid of the process that ran it), then, inside its unit of work, sleeps
`payload["sleep"]` seconds and waits while the file `payload["hold"]` exists.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from daifa.api import logs
from daifa.audit import service as audit
from daifa.config import load_settings
from daifa.context import Ctx
from daifa.db.engine import make_engine, worker_pool
from daifa.db.uow import Database
from daifa.worker import HANDLERS, Worker, run_until_signalled

COUNT_JOB = "test.count"
RAN = "test.ran"
HOLD_SECONDS = 120.0  # a held job lets go after this whatever happens


def count(ctx: Ctx, payload: dict[str, Any]) -> None:
    audit.record(ctx, "test", payload["n"], RAN, data={"pid": os.getpid()})
    ctx.session.flush()  # written before the wait: a run killed meanwhile holds it uncommitted
    time.sleep(float(payload.get("sleep", 0)))
    hold = Path(payload.get("hold") or "/nonexistent")
    deadline = time.monotonic() + HOLD_SECONDS
    while hold.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def main(concurrency: int) -> None:
    settings = load_settings()
    logs.configure(settings.log_format)
    db = Database(make_engine(settings.database_url, **worker_pool(concurrency)))
    try:
        run_until_signalled(Worker(settings=settings, db=db,
                                   handlers={**HANDLERS, COUNT_JOB: count}), concurrency)
    finally:
        db.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]))
