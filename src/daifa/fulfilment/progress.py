"""The shop order follows its dispatch orders (fulfilment.rules.status_for), in bulk.

A reaction to anything that changes what a shop order's units are doing: a dispatch order
shipped, delivered, completed, cancelled or rejected (units back to the order, or on to a
backup), a spreadsheet's worth of parcels. One query per 900 orders, then two executemany
statements when some move.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from daifa.audit.service import Move, fire_many
from daifa.context import Ctx
from daifa.db.bulk import Driver
from daifa.dispatch.events import UNITS_MOVED, DispatchOrderMoved
from daifa.dispatch.states import DispatchPurpose
from daifa.fulfilment.rules import action_between, status_for
from daifa.orders.models import ShopOrder
from daifa.orders.states import ORDER_TRANSITIONS, OrderStatus
from daifa.shipping.upload_db import ShippedByFile

CHUNK = 900
# One query per chunk: each order with the statuses of its dispatch orders (none: one row, NULL);
# after-sales replacements are not the order's units.
_STATE = ("SELECT o.id, o.status, o.quantity, o.assigned_quantity, o.cancelled_quantity, "
          "d.status "
          "FROM shop_orders o LEFT JOIN dispatch_orders d ON d.order_pk = o.id "
          f"AND d.purpose = '{DispatchPurpose.ORDER.value}' WHERE {{where}}")


def after_move(ctx: Ctx, event: DispatchOrderMoved) -> None:
    if event.action in UNITS_MOVED and event.target.order.purpose == DispatchPurpose.ORDER:
        target = event.target
        settle(ctx, [target.order.order_pk], data={"dispatch_order_no": target.no})


def after_file(ctx: Ctx, event: ShippedByFile) -> None:
    settle(ctx, {order.order_pk for order in event.orders}, data={"via": "upload"})


def settle(ctx: Ctx, order_pks: Collection[int], *,
           data: dict[str, Any] | None = None) -> dict[int, str]:
    """Move each shop order to the status its units and dispatch orders say; returns the
    orders that moved with their new status."""
    ctx.session.flush()  # units given back through the ORM count
    driver = Driver(ctx)
    pks = sorted(set(order_pks))
    moves: list[Move] = []
    shared = dict(data or {})  # the same event data for every order of the call
    decided: dict[tuple[str, bool, bool, bool, bool, tuple[str, ...]], str | None] = {}
    for start in range(0, len(pks), CHUNK):
        where, params = driver.is_in("o.id", pks[start:start + CHUNK])
        orders: dict[int, tuple[str, int, int, int, list[str]]] = {}
        for pk, current, quantity, assigned, cancelled, status in driver.rows(
                _STATE.format(where=where), params):
            entry = orders.setdefault(pk, (current, quantity, assigned, cancelled or 0, []))
            if status is not None:
                entry[4].append(status)
        for pk, (current, quantity, assigned, cancelled, statuses) in orders.items():
            # status_for looks only at these: a batch has few distinct cases.
            key = (current, assigned <= 0, assigned + cancelled < quantity, cancelled > 0,
                   cancelled >= quantity,
                   tuple(statuses) if len(statuses) < 2 else tuple(sorted(statuses)))
            if key not in decided:
                decided[key] = action_between(
                    OrderStatus(current), status_for(quantity, assigned, statuses, cancelled))
            action = decided[key]
            if action is not None:
                moves.append(Move(pk, current, action, str(pk), data=shared))
    fire_many(ctx, ORDER_TRANSITIONS, ShopOrder, moves, subject_type="shop_order")
    moved = {move.pk for move in moves}
    for loaded in list(ctx.session.identity_map.values()):  # keep them in step
        if isinstance(loaded, ShopOrder) and loaded.id in moved:
            ctx.session.expire(loaded, ["status"])
    return {move.pk: move.target for move in moves}
