"""`audit.fire` for many objects at once: the same table check, conditional UPDATE and event
row per object, in one executemany per kind of move instead of one round trip each.

Used where one request moves many things (a shipping spreadsheet, the shop orders that follow
their dispatch orders, a deadline sweep). If any object was moved by someone else meanwhile, the
whole batch is refused with InvalidTransition, like `fire` refuses one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert

from daifa.audit import service as audit
from daifa.audit.models import AuditEvent
from daifa.context import Ctx
from daifa.dispatch.bulk import Driver
from daifa.errors import InvalidTransition
from daifa.kit.states import IllegalTransition, TransitionTable

S = TypeVar("S", bound=StrEnum)
_EVENTS = cast(Table, AuditEvent.__table__)
INSERT_EVENTS = insert(_EVENTS)


@dataclass(slots=True)
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
    targets: dict[tuple[str, str], str] = {}  # a batch has few kinds of move: look each up once
    for move in moves:
        key = (move.current, move.action)
        target = targets.get(key)
        if target is None:
            target = targets[key] = _target(table, move)
        move.target = target
    ctx.session.flush()  # events already added through the ORM keep their place in line
    driver = Driver(ctx)
    groups: dict[tuple[str, ...], list[Move]] = {}
    for move in moves:
        groups.setdefault(tuple(sorted(move.values)), []).append(move)
    name = cast(Table, entity.__table__).name
    for columns, group in groups.items():
        sets = "".join(f", {column} = ?" for column in columns)
        if columns:
            params = [(m.target, *[_value(driver, m.values[c]) for c in columns], m.pk,
                       m.current) for m in group]
        else:  # the usual case: the status alone
            params = [(m.target, m.pk, m.current) for m in group]
        changed = driver.many(f"UPDATE {name} SET status = ?{sets} WHERE id = ? AND status = ?",
                              params)
        if changed != len(group):
            raise InvalidTransition(code="CHANGED_MEANWHILE", machine=table.machine)
    kinds = {m.action: f"{table.machine}.{m.action}" for m in moves}
    record_many(ctx, driver, [(subject_type, m.subject_id, kinds[m.action], m.current,
                               m.target, m.reason, m.data) for m in moves])


def _target(table: TransitionTable[S], move: Move) -> str:
    try:
        return table.next(table.states(move.current), move.action).target.value
    except (IllegalTransition, ValueError) as exc:
        raise InvalidTransition(machine=table.machine, action=move.action,
                                current_status=move.current) from exc


def _value(driver: Driver, value: Any) -> Any:
    if isinstance(value, bool):
        return driver.flag(value)
    if isinstance(value, datetime):
        return driver.time(value)
    return value


Event = tuple[str, str, str, str | None, str | None, str | None, dict[str, Any]]
_INSERT_EVENT = ("INSERT INTO audit_events (at, actor, actor_account_id, subject_type, "
                 "subject_id, type, from_status, to_status, reason, data) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, {json})")


def record_many(ctx: Ctx, driver: Driver, events: Sequence[Event]) -> None:
    """Timeline rows (subject type, subject id, type, from, to, reason, data), all at now."""
    at, label, account = driver.time(ctx.now()), audit.actor_label(ctx), ctx.actor.account_id
    encoded: dict[int, str] = {}  # data shared by many events is encoded once
    rows = []
    for kind, subject, type_, before, after, reason, data in events:
        text = encoded.get(id(data))  # all alive in `events`: ids are unique
        if text is None:
            text = encoded[id(data)] = driver.json(data)
        rows.append((at, label, account, kind, subject, type_, before, after, reason, text))
    driver.many(_INSERT_EVENT, rows)
