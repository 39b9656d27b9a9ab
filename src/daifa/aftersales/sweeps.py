"""The worker's after-sales sweeps: a supplier silent past `reply_by` is deemed to approve
(referred to the platform when a return has no address to go to), a return not sent within the
return window lapses, and a rejection nobody escalated within the escalation window stands.
A party acting at the same moment wins or loses by the conditional UPDATE like anyone else."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import ColumnElement, select

from daifa.aftersales import access
from daifa.aftersales.actions import approve_silent
from daifa.aftersales.models import AfterSaleCase
from daifa.aftersales.moves import move
from daifa.aftersales.states import CaseStatus
from daifa.context import Ctx
from daifa.db.uow import savepoint
from daifa.errors import InvalidTransition

BATCH = 200
_C = AfterSaleCase


def answer_due(ctx: Ctx) -> int:
    return _sweep(ctx, CaseStatus.REQUESTED, _C.reply_by <= ctx.now(), approve_silent)


def lapse_due(ctx: Ctx) -> int:
    due = (_C.return_sent_at.is_(None)) & (_C.return_by <= ctx.now())
    return _sweep(ctx, CaseStatus.AWAITING_RETURN, due,
                  lambda ctx, target: move(ctx, target, "lapse", reason="return_not_sent"))


def rejections_due(ctx: Ctx) -> int:
    cutoff = ctx.now() - timedelta(days=ctx.settings.after_sales_escalate_days)
    return _sweep(ctx, CaseStatus.REJECTED, _C.rejected_at <= cutoff,
                  lambda ctx, target: move(ctx, target, "accept_rejection",
                                           reason="not_escalated"))


def _sweep(ctx: Ctx, status: CaseStatus, due: ColumnElement[bool],
           act: Callable[[Ctx, access.CaseTarget], None]) -> int:
    cases = ctx.session.scalars(select(_C).where(_C.status == status.value, due)
                                .order_by(_C.id).limit(BATCH)).all()
    done = 0
    for case in cases:
        try:
            with savepoint(ctx.session, keep=True):
                act(ctx, access.of_case(ctx, case))
            done += 1
        except InvalidTransition:  # a party moved it meanwhile
            ctx.session.refresh(case)
    return done
