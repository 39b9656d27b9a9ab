from __future__ import annotations

import pytest

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.worker import Worker


@pytest.fixture
def worker(settings: Settings, db: Database, clock: FrozenClock) -> Worker:
    """The real worker with every job handler; sweeps run when a test calls run_sweeps()."""
    return Worker(settings=settings, db=db, clock=clock, name="test-worker")


# The console test here uses the console's own helpers.
from tests.web.conftest import api, console_for, visitor  # noqa: E402, F401
