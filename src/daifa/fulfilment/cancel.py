"""The shop cancels units of its order before they leave: all of them, or some per line.

Which units (fulfilment.rules.plan_cancel): waiting ones first, then those of `assigned`
dispatch orders, then of `accepted` ones. Waiting units are cancelled on the line at once. A
dispatch order is only ever cancelled whole, so its status keeps telling the truth to its
supplier: while `assigned` it is cancelled at once; once `accepted` the shop asks
(`cancel_requested`) and the units are cancelled when the supplier accepts the cancel (if it
refuses, they stay its to ship). Its lines' `cancel_quantity` says which of its units the shop
cancels; the others go back to the shop's queue (reason `SPLIT_BY_CANCEL`) to be assigned again.
Units of a dispatch order something of which has left cannot be cancelled (409
`ALREADY_SHIPPED`); units cancelled already, or waiting for the supplier's answer, are 409
`ALREADY_CANCELLED`. Either refusal changes nothing.

Stock reserved for cancelled dispatch orders is released by the same reaction as any cancel
(fulfilment.reroute); the shop order's status follows (fulfilment.progress).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import access, lifecycle
from daifa.dispatch import service as dispatch
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import RELEASED_STATUSES, DispatchPurpose, DispatchStatus
from daifa.fulfilment import progress
from daifa.fulfilment.rules import (
    CancelPlan,
    Held,
    LineUnits,
    cancellable_units,
    plan_cancel,
)
from daifa.fulfilment.schemas import OrderOut
from daifa.kit.states import values
from daifa.orders import service as orders
from daifa.orders.errors import LineNotFound, QuantityExceedsRemaining
from daifa.orders.models import OrderLine, ShopOrder
from daifa.orders.schemas import CancelLineIn
from daifa.shops.models import Shop


def cancel(ctx: Ctx, shop: Shop, order_id: str, reason: str,
           lines: Sequence[CancelLineIn] | None = None) -> ShopOrder:
    """Cancel `lines` (units per line) of the shop's order, or every unit that has not left;
    returns the order as it now stands."""
    order = orders.owned(ctx, shop, order_id)
    order_lines = list(ctx.session.scalars(
        select(OrderLine).where(OrderLine.order_pk == order.id).order_by(OrderLine.line_no)))
    live = list(ctx.session.scalars(
        select(DispatchOrder).where(DispatchOrder.order_pk == order.id,
                                    DispatchOrder.purpose == DispatchPurpose.ORDER.value,
                                    DispatchOrder.status.not_in(values(RELEASED_STATUSES)))
        .order_by(DispatchOrder.id)))
    by_pk = {d.id: d for d in live}
    dispatch_lines = dispatch.lines_of(ctx, list(by_pk))
    held = [Held(d.id, dl.id, dl.line_pk, d.status, dl.quantity - dl.shipped_quantity,
                 dl.shipped_quantity)
            for d in live for dl in dispatch_lines[d.id]]
    plan = plan_cancel([LineUnits(line.id, line.quantity, line.assigned_quantity,
                                  line.cancelled_quantity) for line in order_lines],
                       held, _wanted(order_lines, lines))
    line_of = {dl.id: dl.line_pk for rows in dispatch_lines.values() for dl in rows}
    audit.record(ctx, "shop_order", order.id, "shop_order.cancel_units", reason=reason,
                 data=_record(plan, by_pk, line_of))
    # Dispatch orders first, in id order, then the order's rows: the order in which shipping
    # and the other moves take them, so concurrent transactions queue instead of deadlocking.
    for pk, units in sorted(plan.dispatch.items()):
        target = access.for_shop(ctx, by_pk[pk].dispatch_order_no)
        lifecycle.cancel_units(ctx, target, units, reason,
                               [{"line_id": line_of[dl], "quantity": n}
                                for dl, n in sorted(units.items())])
    _cancel_waiting(ctx, order, plan)
    progress.settle(ctx, [order.id], data={"via": "cancel"})
    ctx.session.refresh(order)
    return order


def cancellable(order: OrderOut) -> dict[int, int]:
    """Units of each line a cancel may still take, from the order as its shop sees it (the
    console offers these)."""
    held: dict[int, list[tuple[str, int]]] = {line.line_id: [] for line in order.lines}
    for one in order.dispatch_orders:
        if one.purpose != DispatchPurpose.ORDER:  # an after-sales replacement
            continue
        for line in one.lines:
            held.setdefault(line.line_id, []).append(
                (one.status, line.quantity - line.shipped_quantity))
    return {line.line_id: cancellable_units(line.quantity, line.assigned_quantity,
                                            line.cancelled_quantity, held[line.line_id])
            for line in order.lines}


def _wanted(order_lines: Sequence[OrderLine],
            lines: Sequence[CancelLineIn] | None) -> dict[int, int] | None:
    if not lines:
        return None
    known = {line.id for line in order_lines}
    wanted: dict[int, int] = {}
    for item in lines:
        if item.line_id not in known:
            raise LineNotFound(line_id=item.line_id)
        wanted[item.line_id] = wanted.get(item.line_id, 0) + item.quantity
    return wanted


def _cancel_waiting(ctx: Ctx, order: ShopOrder, plan: CancelPlan) -> None:
    """Waiting units cancelled on their lines, each a conditional UPDATE (a concurrent
    assignment of the same units makes one of the two fail, never both succeed)."""
    for line_pk, units in sorted(plan.waiting.items()):
        result = ctx.session.execute(
            update(OrderLine)
            .where(OrderLine.id == line_pk,
                   OrderLine.assigned_quantity + OrderLine.cancelled_quantity + units
                   <= OrderLine.quantity)
            .values(cancelled_quantity=OrderLine.cancelled_quantity + units)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise QuantityExceedsRemaining(line_id=line_pk)
    total = sum(plan.waiting.values())
    if total:
        ctx.session.execute(
            update(ShopOrder).where(ShopOrder.id == order.id)
            .values(cancelled_quantity=ShopOrder.cancelled_quantity + total)
            .execution_options(synchronize_session=False))
        ctx.session.expire(order, ["cancelled_quantity"])


def _record(plan: CancelPlan, by_pk: dict[int, DispatchOrder],
            line_of: dict[int, int]) -> dict[str, Any]:
    """What the cancel took, for the order's timeline (no buyer data)."""
    asked = {}
    for pk in sorted(plan.dispatch):
        order = by_pk[pk]
        asked[order.dispatch_order_no] = {
            "action": ("request_cancel" if order.status == DispatchStatus.ACCEPTED
                       else "cancel"),
            "lines": [{"line_id": line_of[dl], "quantity": n}
                      for dl, n in sorted(plan.dispatch[pk].items())]}
    return {"lines": [{"line_id": line, "quantity": n} for line, n in sorted(plan.lines.items())],
            "waiting": [{"line_id": line, "quantity": n}
                        for line, n in sorted(plan.waiting.items())],
            "dispatch_orders": asked}
