"""Suppliers who switched on auto-accept have their new dispatch orders accepted at once by the
system, in the transaction that created them (a reaction to `DispatchOrdersCreated`).

One query for the suppliers' setting (none when the creator passes what it read, `Known`: orders
in take it from the routing snapshot) and one UPDATE for all the orders it accepts; then
`AutoAccepted` for whatever announces them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch.creation import DispatchOrdersCreated, NewDispatch
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import DISPATCH_TRANSITIONS, DispatchStatus
from daifa.suppliers.models import Supplier

AUTO_ACCEPT_ACTOR = "system:auto_accept"
AUTO_ACCEPT_REASON = "auto_accept"
_AUTO = select(Supplier.id).where(Supplier.id.in_(bindparam("pks", expanding=True)),
                                  Supplier.auto_accept.is_(True))


@dataclass(slots=True)
class AutoAccepted:
    """New dispatch orders the system accepted for their suppliers as they were created."""

    items: Sequence[NewDispatch]
    supplier_ids: Mapping[int, str]


def accept_new(ctx: Ctx, event: DispatchOrdersCreated) -> None:
    """Accept the new dispatch orders of suppliers who accept at once."""
    items = event.items
    if event.known is None:
        auto = set(ctx.session.scalars(_AUTO, {"pks": sorted({i.supplier_pk for i in items})}))
    else:
        auto = set(event.known.auto_accept)
    accepted = [item for item in items if item.supplier_pk in auto]
    if not accepted:
        return
    now = ctx.now()
    audit.fire_many(ctx, DISPATCH_TRANSITIONS, DispatchOrder,
                    [audit.Move(item.pk, DispatchStatus.ASSIGNED.value, "accept", item.no,
                                reason=AUTO_ACCEPT_REASON, values={"accepted_at": now})
                     for item in accepted],
                    subject_type="dispatch_order", actor=AUTO_ACCEPT_ACTOR, rows=event.rows)
    for item in accepted:
        item.row["status"] = DispatchStatus.ACCEPTED.value
        item.row["accepted_at"] = now
    ctx.publish(AutoAccepted(accepted, event.supplier_ids))
