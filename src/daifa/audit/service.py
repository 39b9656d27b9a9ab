"""The one writer of status changes and timeline events, and the timelines read back.

Every status moves along a transition table here: `fire` for one object, `fire_many` for the
bulk paths (a spreadsheet, a sweep, the shop orders that follow their dispatch orders). Every
timeline row is written here too: `record` for one through the ORM, `event_row` + `write_rows`
for rows collected by a bulk path and inserted with one multi-row INSERT, `record_many` for
rows written straight through the driver.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from daifa.audit.models import AuditEvent
from daifa.audit.schemas import TimelineEntry
from daifa.context import Ctx
from daifa.db.bulk import Driver
from daifa.errors import InvalidTransition
from daifa.kit.states import IllegalTransition, Transition, TransitionTable

S = TypeVar("S", bound=StrEnum)
_EVENTS = cast(Table, AuditEvent.__table__)
_INSERT_EVENTS = insert(_EVENTS)


def actor_label(ctx: Ctx) -> str:
    return ctx.actor.label or ctx.actor.scope.value


def record(
    ctx: Ctx,
    subject_type: str,
    subject_id: object,
    type: str,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=ctx.now(),
        actor=actor_label(ctx),
        actor_account_id=ctx.actor.account_id,
        subject_type=subject_type,
        subject_id=str(subject_id),
        type=type,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        data=data or {},
    )
    ctx.session.add(event)
    return event


def events_of(ctx: Ctx, subjects: Iterable[tuple[str, object]]) -> list[AuditEvent]:
    """Events of all the given subjects, oldest first, in one query: one condition per kind of
    subject (``subject_id IN (...)``), so the statement does not grow a branch per subject."""
    by_kind: dict[str, set[str]] = {}
    for kind, ident in subjects:
        by_kind.setdefault(kind, set()).add(str(ident))
    if not by_kind:
        return []
    conditions = [(AuditEvent.subject_type == kind) & AuditEvent.subject_id.in_(sorted(idents))
                  for kind, idents in sorted(by_kind.items())]
    return list(ctx.session.scalars(
        select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.at, AuditEvent.id)))


def timeline(ctx: Ctx, subjects: Iterable[tuple[str, object]]) -> list[TimelineEntry]:
    """Events of all the given subjects, oldest first."""
    rows = events_of(ctx, subjects)
    return [
        TimelineEntry(
            at=row.at,
            actor=row.actor,
            type=row.type,
            subject=row.subject_type,
            from_status=row.from_status,
            to_status=row.to_status,
            reason=row.reason,
            data=row.data,
        )
        for row in rows
    ]


def fire(
    ctx: Ctx,
    table: TransitionTable[S],
    obj: Any,
    action: str,
    *,
    subject: tuple[str, object],
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    **values: Any,
) -> Transition[S]:
    """Move `obj` along `table` by `action`: the one place a status changes.

    The UPDATE is conditional on the status read before (`WHERE status = <current>`), so of two
    concurrent moves exactly one wins and the other gets InvalidTransition, on SQLite and
    PostgreSQL alike, without row locks. The event row is written in the same transaction.
    """
    current = table.states(obj.status)
    try:
        move = table.next(current, action)
    except IllegalTransition as exc:
        raise _refused(table.machine, action, current) from exc
    if not _conditional_update(ctx.session, type(obj), obj.id, move, (), values):
        ctx.session.refresh(obj, ["status"])
        raise _refused(table.machine, action, table.states(obj.status))
    record(ctx, subject[0], subject[1], f"{table.machine}.{action}", from_status=move.source,
           to_status=move.target, reason=reason, data=data)
    return move


def shift(session: Session, table: TransitionTable[S], entity: type[Any], pk: int,
          current: str, action: str, *, where: Sequence[Any] = (), **values: Any) -> bool:
    """`fire` without a timeline row, for the hub's own bookkeeping (the job queue, webhook
    deliveries) rather than the business's: the row `pk` of `entity` moves from `current` by
    `action`; False when the table has no such move or the row changed meanwhile (`where` adds
    conditions, e.g. who holds a job's lease). Loaded objects of the row follow."""
    state = table.states(current)
    if not table.allows(state, action):
        return False
    return _conditional_update(session, entity, pk, table.next(state, action), where, values)


def _conditional_update(session: Session, entity: type[Any], pk: int, move: Transition[S],
                        where: Sequence[Any], values: dict[str, Any]) -> bool:
    """UPDATE … WHERE id = ? AND status = <source>. A loaded object of the row follows: the
    ORM sets the columns it had loaded; those it had not are expired, so they load when read
    instead of reading as None."""
    result = session.execute(
        update(entity)
        .where(entity.id == pk, entity.status == move.source, *where)
        .values(status=move.target, **values)
    )
    moved = bool(result.rowcount == 1)  # type: ignore[attr-defined]
    loaded = session.identity_map.get(identity_key(entity, pk)) if moved else None
    unloaded = [name for name in values if loaded is not None and name not in vars(loaded)]
    if unloaded:
        session.expire(loaded, unloaded)
    return moved


def _refused(machine: str, action: str, current: str) -> InvalidTransition:
    return InvalidTransition(machine=machine, action=action, current_status=str(current))


def event_row(ctx: Ctx, subject_type: str, subject_id: object, type: str, *,
              from_status: str | None = None, to_status: str | None = None,
              reason: str | None = None, data: dict[str, Any] | None = None,
              actor: str | None = None) -> dict[str, Any]:
    """A timeline row for `write_rows`, at now, by the acting party (or `actor`: the system
    acting on its own rule, e.g. auto-accept)."""
    return {"at": ctx.now(), "actor": actor or actor_label(ctx),
            "actor_account_id": None if actor else ctx.actor.account_id,
            "subject_type": subject_type, "subject_id": str(subject_id), "type": type,
            "from_status": from_status, "to_status": to_status, "reason": reason,
            "data": data or {}}


def write_rows(ctx: Ctx, rows: Sequence[dict[str, Any]]) -> None:
    """Timeline rows made by `event_row`, in one multi-row INSERT."""
    if rows:
        ctx.session.execute(_INSERT_EVENTS, list(rows))


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
              subject_type: str, actor: str | None = None,
              rows: list[dict[str, Any]] | None = None) -> None:
    """Move every object along `table`; InvalidTransition (nothing written by this call is
    kept once the caller's unit of work rolls back) when a move is illegal or was lost.

    The timeline rows go straight in, or to `rows` when the caller inserts them later with its
    own (so they keep their place in line); `actor`: the system acting on its own rule."""
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
    _update_many(driver, table, cast(Table, entity.__table__).name, moves)
    kinds = {m.action: f"{table.machine}.{m.action}" for m in moves}
    if rows is not None:
        rows.extend(event_row(ctx, subject_type, m.subject_id, kinds[m.action],
                              from_status=m.current, to_status=m.target, reason=m.reason,
                              data=m.data, actor=actor) for m in moves)
        return
    record_many(ctx, driver, [(subject_type, m.subject_id, kinds[m.action], m.current,
                               m.target, m.reason, m.data) for m in moves], actor=actor)


def _update_many(driver: Driver, table: TransitionTable[S], name: str,
                 moves: Sequence[Move]) -> None:
    """One executemany per set of extra columns, each row conditional on its status."""
    groups: dict[tuple[str, ...], list[Move]] = {}
    for move in moves:
        groups.setdefault(tuple(sorted(move.values)), []).append(move)
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


def _target(table: TransitionTable[S], move: Move) -> str:
    try:
        return table.next(table.states(move.current), move.action).target.value
    except (IllegalTransition, ValueError) as exc:
        raise _refused(table.machine, move.action, move.current) from exc


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


def record_many(ctx: Ctx, driver: Driver, events: Sequence[Event], *,
                actor: str | None = None) -> None:
    """Timeline rows (subject type, subject id, type, from, to, reason, data), all at now."""
    at = driver.time(ctx.now())
    label = actor or actor_label(ctx)
    account = None if actor else ctx.actor.account_id
    encoded: dict[int, str] = {}  # data shared by many events is encoded once
    rows = []
    for kind, subject, type_, before, after, reason, data in events:
        text = encoded.get(id(data))  # all alive in `events`: ids are unique
        if text is None:
            text = encoded[id(data)] = driver.json(data)
        rows.append((at, label, account, kind, subject, type_, before, after, reason, text))
    driver.many(_INSERT_EVENT, rows)
