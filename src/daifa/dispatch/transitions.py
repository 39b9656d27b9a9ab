"""`audit.fire` for many objects at once: the same table check, conditional UPDATE and event
row per object, in one executemany per kind of move instead of one round trip each.

Used where one request moves many things (a shipping spreadsheet, the shop orders that follow
their dispatch orders, a deadline sweep). If any object was moved by someone else meanwhile, the
whole batch is refused with InvalidTransition, like `fire` refuses one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, insert, update

from daifa.audit import service as audit
from daifa.audit.models import AuditEvent
from daifa.context import Ctx
from daifa.errors import InvalidTransition
from daifa.kit.states import IllegalTransition, TransitionTable

S = TypeVar("S", bound=StrEnum)
_EVENTS = cast(Table, AuditEvent.__table__)
INSERT_EVENTS = insert(_EVENTS)


@dataclass
class Move:
    pk: int
    current: str
    action: str
    subject_id: str
    reason: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # more columns to set
    target: str = ""  # filled in by fire_many


def fire_many(ctx: Ctx, table: TransitionTable[S], entity: type[Any], moves: Sequence[Move], *,
              subject_type: str) -> None:
    """Move every object along `table`; InvalidTransition (nothing written by this call is
    kept once the caller's unit of work rolls back) when a move is illegal or was lost."""
    if not moves:
        return
    for move in moves:
        try:
            move.target = table.next(table.states(move.current), move.action).target.value
        except IllegalTransition as exc:
            raise InvalidTransition(
                f"cannot {move.action} a {table.machine.replace('_', ' ')} that is "
                f"{move.current}", current_status=move.current) from exc
    groups: dict[tuple[str, ...], list[Move]] = {}
    for move in moves:
        groups.setdefault(tuple(sorted(move.values)), []).append(move)
    rows = cast(Table, entity.__table__)
    for columns, group in groups.items():
        statement = (update(rows)
                     .where(rows.c.id == bindparam("m_pk"), rows.c.status == bindparam("m_from"))
                     .values(status=bindparam("m_to"),
                             **{name: bindparam(f"m_{name}") for name in columns}))
        params = [{"m_pk": m.pk, "m_from": m.current, "m_to": m.target,
                   **{f"m_{name}": m.values[name] for name in columns}} for m in group]
        result = ctx.session.execute(statement, params)
        if result.rowcount != len(group):  # type: ignore[attr-defined]
            raise InvalidTransition(f"some {table.machine.replace('_', ' ')}s changed "
                                    "meanwhile; nothing was done, try again")
    now, label, account = ctx.now(), audit.actor_label(ctx), ctx.actor.account_id
    ctx.session.execute(INSERT_EVENTS, [
        {"at": now, "actor": label, "actor_account_id": account, "subject_type": subject_type,
         "subject_id": m.subject_id, "type": f"{table.machine}.{m.action}",
         "from_status": m.current, "to_status": m.target, "reason": m.reason, "data": m.data}
        for m in moves])
