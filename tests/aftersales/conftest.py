"""After every after-sales test, the invariants users rely on hold in the database: no
dispatch line has more units claimed than shipped (nor fewer than its cases hold), no case
refunds more than the buyer paid for its units, and every closed case has a liability."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from daifa.aftersales.models import AfterSaleCase, AfterSaleLine
from daifa.aftersales.states import CaseStatus
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.dispatch.models import DispatchLine
from daifa.kit.clock import FrozenClock
from daifa.worker import Worker


def check_invariants(db: Database) -> None:
    with db.unit_of_work() as session:
        held = dict(session.execute(
            select(AfterSaleLine.dispatch_line_pk, func.sum(AfterSaleLine.quantity))
            .join(AfterSaleCase, AfterSaleCase.id == AfterSaleLine.case_pk)
            .where(AfterSaleCase.status != CaseStatus.CANCELLED.value)
            .group_by(AfterSaleLine.dispatch_line_pk)).all())
        for line in session.scalars(select(DispatchLine)):
            assert 0 <= line.claimed_quantity <= line.shipped_quantity, line.id
            assert line.claimed_quantity == held.get(line.id, 0), line.id
        for case in session.scalars(select(AfterSaleCase)):
            assert 0 <= case.refund_fen <= case.paid_fen, case.case_no
            if case.status == CaseStatus.CLOSED:
                assert case.liability is not None, case.case_no
                assert case.final_refund_fen is not None
                assert 0 <= case.final_refund_fen <= case.paid_fen, case.case_no
                assert case.closed_at is not None
            else:
                assert case.liability is None and case.final_refund_fen is None, case.case_no


@pytest.fixture(autouse=True)
def _invariants(db: Database) -> Iterator[None]:
    yield
    check_invariants(db)


@pytest.fixture
def worker(settings: Settings, db: Database, clock: FrozenClock) -> Worker:
    """The real worker; sweeps and jobs run when a test asks."""
    return Worker(settings=settings, db=db, clock=clock, name="test-worker")


# The console tests here use the console's own helpers.
from tests.web.conftest import console_for, visitor  # noqa: E402, F401
