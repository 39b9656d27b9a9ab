"""Webhook tests talk to a real local HTTP server, so private targets are allowed here, and the
send timeout is short so timeout tests stay quick."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.worker import Worker
from tests.webhooks.receiver import Receiver, receiver


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True,
                                       "webhook_timeout_seconds": 0.5})


@pytest.fixture
def worker(settings: Settings, db: Database, clock: FrozenClock) -> Worker:
    return Worker(settings=settings, db=db, clock=clock, name="test-worker", sweeps={})


@pytest.fixture
def hook() -> Iterator[Receiver]:
    with receiver() as state:
        yield state


# The console tests here use the console's own helpers.
from tests.web.conftest import api, console_for, visitor  # noqa: E402, F401
