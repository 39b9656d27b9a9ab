"""The chained audit trail: the sealing sweep chains rows once they are old enough, and
`verify` names the first row changed, removed or slipped in afterwards, on both databases."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, text, update

from daifa.audit import chain
from daifa.audit.models import AuditEvent, AuditSeal
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.worker import SWEEPS, Worker
from tests import factories


@pytest.fixture
def worker(settings: Settings, db: Database, clock: FrozenClock) -> Worker:
    return Worker(settings=settings, db=db, clock=clock, name="sealer",
                  sweeps={"audit.seal": SWEEPS["audit.seal"]})


def _history(client: TestClient) -> None:
    """Some real timeline rows: sign-ups, a shop, a supplier reviewed by the platform."""
    platform = factories.admin(client)
    owner = factories.person(client)
    factories.shop(client, owner)
    factories.supplier(client, owner, approve_with=platform)


def _verify(db: Database) -> chain.Verdict:
    with db.unit_of_work() as session:
        return chain.verify(session)


def _ids(db: Database) -> list[int]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))


def _seal(worker: Worker) -> int:
    return worker.run_sweeps()["audit.seal"]


def test_rows_are_sealed_once_old_enough_and_the_chain_holds(
        client: TestClient, db: Database, clock: FrozenClock, worker: Worker) -> None:
    _history(client)
    rows = len(_ids(db))
    assert rows >= 4
    assert _seal(worker) == 0  # too young: a writer may still be committing
    clock.advance(timedelta(seconds=61))
    assert _seal(worker) == rows
    assert _seal(worker) == 0
    factories.person(client)  # more history, sealed by the next run
    clock.advance(timedelta(seconds=61))
    assert _seal(worker) == len(_ids(db)) - rows
    verdict = _verify(db)
    assert verdict.ok and verdict.checked == len(_ids(db)), verdict


@pytest.mark.parametrize("tamper", ["change", "remove", "unseal"])
def test_verify_names_the_first_broken_row(client: TestClient, db: Database, clock: FrozenClock,
                                           worker: Worker, tamper: str) -> None:
    _history(client)
    clock.advance(timedelta(seconds=61))
    _seal(worker)
    ids = _ids(db)
    victim = ids[len(ids) // 2]
    with db.unit_of_work() as session:
        if tamper == "change":
            session.execute(update(AuditEvent).where(AuditEvent.id == victim)
                            .values(reason="nothing to see here"))
        elif tamper == "remove":
            session.execute(delete(AuditEvent).where(AuditEvent.id == victim))
        else:
            session.execute(update(AuditEvent).where(AuditEvent.id == victim)
                            .values(chain_hash=None))
    verdict = _verify(db)
    assert not verdict.ok
    named = ids[ids.index(victim) + 1] if tamper == "remove" else victim
    assert verdict.broken_event_id == named, verdict
    assert f"event {named}" in verdict.problem


def test_removing_the_newest_sealed_rows_is_caught_by_the_seal(
        client: TestClient, db: Database, clock: FrozenClock, worker: Worker) -> None:
    _history(client)
    clock.advance(timedelta(seconds=61))
    _seal(worker)
    last = _ids(db)[-1]
    with db.unit_of_work() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == last))
    verdict = _verify(db)
    assert not verdict.ok and "were removed" in verdict.problem


def test_two_sealers_at_once_chain_each_row_once(client: TestClient, db: Database,
                                                 clock: FrozenClock, settings: Settings) -> None:
    _history(client)
    clock.advance(timedelta(seconds=61))
    start = threading.Barrier(2)

    def run(name: str) -> int:
        sealer = Worker(settings=settings, db=db, clock=clock, name=name,
                        sweeps={"audit.seal": SWEEPS["audit.seal"]})
        start.wait(timeout=10)
        return sealer.run_sweeps().get("audit.seal", 0)

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = sorted(pool.map(run, ["a", "b"]))
    rows = len(_ids(db))
    assert done == [0, rows]
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(AuditSeal)) == 1
    assert _verify(db).ok


def test_the_genesis_and_an_empty_trail(db: Database) -> None:
    verdict = _verify(db)
    assert verdict.ok and verdict.checked == 0
    with db.unit_of_work() as session:
        assert session.execute(text("SELECT count(*) FROM audit_seals")).scalar() == 0
