"""What follows the creation of dispatch orders, in the same transaction: suppliers who switched
on auto-accept have theirs accepted at once by the system, and webhooks announce them.

Called by `dispatch.service.create` for every new dispatch order (orders in, manual assignment,
reassignment, rerouting to a backup): one query for the suppliers' setting and one for the Shop
IDs (none when the caller passes what it read, `Known`: orders in take both from the routing
snapshot and the shop), one UPDATE for all the orders it accepts, one lookup of webhook endpoints.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, select, update

from daifa.context import Ctx
from daifa.dispatch import notify
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import DISPATCH_TRANSITIONS, DispatchStatus
from daifa.dispatch.transitions import INSERT_EVENTS
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

if TYPE_CHECKING:
    from daifa.dispatch.service import NewDispatch

AUTO_ACCEPT_ACTOR = "system:auto_accept"
AUTO_ACCEPT_REASON = "auto_accept"
_DO = cast(Table, DispatchOrder.__table__)
_AUTO = select(Supplier.id).where(Supplier.id.in_(bindparam("pks", expanding=True)),
                                  Supplier.auto_accept.is_(True))
_SHOP_IDS = select(Shop.id, Shop.shop_id).where(Shop.id.in_(bindparam("pks", expanding=True)))
_ACCEPT = (update(_DO).where(_DO.c.id.in_(bindparam("pks", expanding=True)),
                             _DO.c.status == DispatchStatus.ASSIGNED.value)
           .values(status=DispatchStatus.ACCEPTED.value, accepted_at=bindparam("now")))


@dataclass
class Known:
    """What a caller read already in this transaction, so it is not asked again: the Shop ID
    of every shop and the auto-accept setting of every supplier of the new dispatch orders."""

    shop_ids: Mapping[int, str]
    auto_accept: Collection[int]  # those of the suppliers who accept at once


def after_create(ctx: Ctx, items: Sequence[NewDispatch], supplier_ids: Mapping[int, str],
                 events: list[dict[str, Any]] | None, known: Known | None = None) -> None:
    """Auto-accept and announce new dispatch orders. Event rows go to `events` when the caller
    collects them (inserted after its own), else straight in."""
    if not items:
        return
    if known is None:
        auto = set(ctx.session.scalars(_AUTO, {"pks": sorted({i.supplier_pk for i in items})}))
        shop_ids = dict(ctx.session.execute(
            _SHOP_IDS, {"pks": sorted({i.shop_pk for i in items})}).all())
    else:
        auto, shop_ids = set(known.auto_accept), dict(known.shop_ids)
    for item in items:
        item.row.setdefault("shop_id", shop_ids.get(item.shop_pk, ""))
    accepted = [item for item in items if item.supplier_pk in auto]
    emissions = [(item.shop_pk, item.supplier_pk, "created", _created(ctx, item, supplier_ids))
                 for item in items]
    if accepted:
        rows = _accept(ctx, accepted)
        if events is None:
            ctx.session.execute(INSERT_EVENTS, rows)
        else:
            events.extend(rows)
        emissions += [(item.shop_pk, item.supplier_pk, "accept",
                       _data(ctx, item, supplier_ids, "accept", DispatchStatus.ASSIGNED.value))
                      for item in accepted]
    notify.emit_many(ctx, emissions)


def _accept(ctx: Ctx, items: Sequence[NewDispatch]) -> list[dict[str, Any]]:
    move = DISPATCH_TRANSITIONS.next(DispatchStatus.ASSIGNED, "accept")
    now = ctx.now()
    ctx.session.execute(_ACCEPT, {"pks": [item.pk for item in items], "now": now})
    for item in items:
        item.row["status"] = move.target.value
        item.row["accepted_at"] = now
    return [{"at": now, "actor": AUTO_ACCEPT_ACTOR, "actor_account_id": None,
             "subject_type": "dispatch_order", "subject_id": item.no,
             "type": "dispatch_order.accept", "from_status": move.source.value,
             "to_status": move.target.value, "reason": AUTO_ACCEPT_REASON, "data": {}}
            for item in items]


def _data(ctx: Ctx, item: NewDispatch, supplier_ids: Mapping[int, str], action: str,
          previous: str | None, **extra: Any) -> dict[str, Any]:
    return notify.payload(no=item.no, order_pk=item.order_pk, shop_id=_shop_id(item),
                          supplier_id=supplier_ids.get(item.supplier_pk, ""),
                          status=item.row["status"], previous_status=previous, action=action,
                          at=ctx.now(), **extra)


def _created(ctx: Ctx, item: NewDispatch, supplier_ids: Mapping[int, str]) -> dict[str, Any]:
    return _data(ctx, item, supplier_ids, "create", None, ship_by=item.ship_by,
                 lines=[{"line_id": row["line_pk"], "sku_code": row["sku_code"],
                         "supplier_sku_code": row["supplier_sku_code"],
                         "quantity": row["quantity"], "reason": row["reason"]}
                        for row in item.line_rows])


def _shop_id(item: NewDispatch) -> str:
    return str(item.row.get("shop_id", ""))
