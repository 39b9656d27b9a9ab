"""The worker inside `daifa serve --with-worker`: one process runs the whole hub.

Meant for the single-machine SQLite set-up (`make run`), where a second process would only
compete for the one write lock; it shares the app's Database, so its writes queue with the
requests'. Larger set-ups run `daifa worker` processes instead.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from daifa.api.deps import Hub

log = logging.getLogger("daifa.worker")


def _run(hub: Hub, stop: threading.Event) -> None:
    from daifa.jobs.worker import Worker

    try:
        Worker(settings=hub.settings, db=hub.db, clock=hub.clock).run_forever(stop=stop)
    except Exception:  # the API keeps serving; the log says why jobs stopped
        log.exception("embedded worker stopped")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    hub: Hub = app.state.hub
    if not hub.settings.embedded_worker:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=_run, args=(hub, stop), name="daifa-worker", daemon=True)
    thread.start()
    log.info("embedded worker started")
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)
