"""The one way a case moves: `audit.fire` along the table, the closing moves' liability and
amounts, then `CaseMoved` for the reactions."""

from __future__ import annotations

from typing import Any

from daifa.aftersales import rules
from daifa.aftersales.access import CaseTarget
from daifa.aftersales.events import CaseMoved
from daifa.aftersales.states import CASE_TRANSITIONS
from daifa.audit import service as audit
from daifa.context import Ctx

CLOSING_ACTIONS = frozenset(rules.OUTCOME) | {"decide"}


def move(ctx: Ctx, target: CaseTarget, action: str, *, reason: str | None = None,
         data: dict[str, Any] | None = None, **values: Any) -> None:
    case = target.case
    if action in rules.OUTCOME:
        liability, refund = rules.settle(action, case.refund_fen)
        values.update(liability=liability.value, final_refund_fen=refund)
    if action in CLOSING_ACTIONS or action == "cancel":
        values.setdefault("closed_at", ctx.now())
    done = audit.fire(ctx, CASE_TRANSITIONS, case, action, subject=("after_sale", target.no),
                      reason=reason, data=data, **values)
    ctx.publish(CaseMoved(target, action, done.source.value, reason))
