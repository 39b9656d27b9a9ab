"""The shop order follows its dispatch orders (orders.states.status_for), in bulk.

Called after anything that changes what a shop order's units are doing: a dispatch order
shipped, delivered, completed, cancelled or rejected (units back to the order), a backup taking
over. Three statements for any number of orders when nothing changes, five when some do.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm.util import identity_key

from daifa.context import Ctx
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.transitions import Move, fire_many
from daifa.orders.models import ShopOrder
from daifa.orders.states import ORDER_TRANSITIONS, OrderStatus, action_between, status_for

CHUNK = 900
_ORDERS = select(ShopOrder.id, ShopOrder.status, ShopOrder.quantity,
                 ShopOrder.assigned_quantity).where(
    ShopOrder.id.in_(bindparam("pks", expanding=True)))
_DISPATCH = select(DispatchOrder.order_pk, DispatchOrder.status).where(
    DispatchOrder.order_pk.in_(bindparam("pks", expanding=True)))


def settle(ctx: Ctx, order_pks: Collection[int], *,
           data: dict[str, Any] | None = None) -> dict[int, str]:
    """Move each shop order to the status its units and dispatch orders say; returns the
    orders that moved with their new status."""
    pks = sorted(set(order_pks))
    moves: list[Move] = []
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start:start + CHUNK]
        statuses: dict[int, list[str]] = {pk: [] for pk in chunk}
        for order_pk, status in ctx.session.execute(_DISPATCH, {"pks": chunk}):
            statuses[order_pk].append(status)
        for pk, current, quantity, assigned in ctx.session.execute(_ORDERS, {"pks": chunk}):
            target = status_for(quantity, assigned, statuses[pk])
            action = action_between(OrderStatus(current), target)
            if action is not None:
                moves.append(Move(pk, current, action, str(pk), data=dict(data or {})))
    fire_many(ctx, ORDER_TRANSITIONS, ShopOrder, moves, subject_type="shop_order")
    for move in moves:  # keep loaded entities in step with the database
        loaded = ctx.session.identity_map.get(identity_key(ShopOrder, move.pk))
        if loaded is not None:
            ctx.session.expire(loaded, ["status"])
    return {move.pk: move.target for move in moves}
