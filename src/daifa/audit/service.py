"""Record events and read them back as timelines."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import or_, select, update

from daifa.audit.models import AuditEvent
from daifa.audit.schemas import TimelineEntry
from daifa.context import Ctx
from daifa.errors import InvalidTransition
from daifa.kit.states import IllegalTransition, Transition, TransitionTable

S = TypeVar("S", bound=StrEnum)


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


def timeline(ctx: Ctx, subjects: Iterable[tuple[str, object]]) -> list[TimelineEntry]:
    """Events of all the given subjects, oldest first."""
    conditions = [
        (AuditEvent.subject_type == kind) & (AuditEvent.subject_id == str(ident))
        for kind, ident in subjects
    ]
    if not conditions:
        return []
    rows = ctx.session.scalars(
        select(AuditEvent).where(or_(*conditions)).order_by(AuditEvent.at, AuditEvent.id)
    )
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
    entity = type(obj)
    current = table.states(obj.status)
    try:
        move = table.next(current, action)
    except IllegalTransition as exc:
        raise _refused(table.machine, action, current) from exc
    result = ctx.session.execute(
        update(entity)
        .where(entity.id == obj.id, entity.status == current)
        .values(status=move.target, **values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        ctx.session.refresh(obj, ["status"])
        raise _refused(table.machine, action, table.states(obj.status))
    record(ctx, subject[0], subject[1], f"{table.machine}.{action}", from_status=move.source,
           to_status=move.target, reason=reason, data=data)
    return move


def _refused(machine: str, action: str, current: StrEnum) -> InvalidTransition:
    return InvalidTransition(machine=machine, action=action, current_status=current.value)
