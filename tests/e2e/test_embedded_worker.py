"""`daifa serve --with-worker`: the app runs the worker beside the API and stops it on exit."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.app import create_app
from daifa.audit.models import AuditEvent
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from tests import factories


def test_the_embedded_worker_expires_invitations_and_stops_with_the_app(
        settings: Settings, db: Database, clock: FrozenClock) -> None:
    quick = settings.model_copy(update={"embedded_worker": True, "sweep_interval_seconds": 0.05,
                                        "worker_poll_seconds": 0.02})
    app = create_app(quick, clock=clock, database=db)
    with TestClient(app) as client:
        merchant = factories.person(client)
        shop_id = factories.shop(client, merchant)
        factories.invitation(client, merchant, shop_id, expires_in_hours=1)
        clock.advance(timedelta(hours=2))
        for _ in range(200):
            if _swept(db):
                break
            time.sleep(0.05)
        assert _swept(db)
    assert not any(t.name == "daifa-worker" and t.is_alive() for t in threading.enumerate())


def _swept(db: Database) -> bool:
    """The sweep recorded the expiry (lists show `expired` even before the sweep)."""
    with db.unit_of_work(write=False) as session:
        return session.scalar(select(AuditEvent.id).where(
            AuditEvent.type == "invitation.expire")) is not None
