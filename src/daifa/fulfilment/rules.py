"""The shop order's progress: its status follows its units and its dispatch orders.

The shop order's table lives in orders/states.py; which status its units and dispatch orders add
up to needs the dispatch-order statuses, so the decision lives here, above both; so does which
units a cancel of the shop order takes (`plan_cancel`), for the same reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from daifa.dispatch.states import (
    ALL_DELIVERED_STATUSES,
    ALL_SHIPPED_STATUSES,
    RELEASED_STATUSES,
    SENT_STATUSES,
    DispatchStatus,
)
from daifa.errors import DaifaError
from daifa.orders.errors import AlreadyCancelled, AlreadyShipped, QuantityExceedsRemaining
from daifa.orders.states import OrderStatus

_D = DispatchStatus
_WAITING = (OrderStatus.UNASSIGNED, OrderStatus.PARTIALLY_ASSIGNED)


def status_for(quantity: int, assigned: int,
               dispatch_statuses: Iterable[str] = (), cancelled: int = 0) -> OrderStatus:
    """The status of an order with `quantity` units of which `assigned` are with suppliers and
    `cancelled` were cancelled, whose dispatch orders are in `dispatch_statuses` (any order,
    cancelled ones included). Waiting units first (the shop has work), then all cancelled,
    then the rest as its dispatch orders say (orders/states.py)."""
    if cancelled >= quantity:
        return OrderStatus.CANCELLED
    if assigned <= 0:
        return OrderStatus.UNASSIGNED
    if assigned + cancelled < quantity:
        return OrderStatus.PARTIALLY_ASSIGNED
    live = {_D(status) for status in dispatch_statuses} - RELEASED_STATUSES
    if not live & SENT_STATUSES:
        return OrderStatus.PARTIALLY_CANCELLED if cancelled > 0 else OrderStatus.ASSIGNED
    if live == {_D.COMPLETED}:
        return OrderStatus.COMPLETED
    if live <= ALL_DELIVERED_STATUSES:
        return OrderStatus.DELIVERED
    return OrderStatus.SHIPPED if live <= ALL_SHIPPED_STATUSES else OrderStatus.PARTIALLY_SHIPPED


def action_between(current: OrderStatus, target: OrderStatus) -> str | None:
    """The transition that moves `current` to `target`, None when they are the same."""
    if current == target:
        return None
    if target == OrderStatus.PARTIALLY_CANCELLED:  # the rest assigned, or units cancelled
        return "assign_rest" if current in _WAITING else "cancel_partially"
    return {
        OrderStatus.CANCELLED: "cancel",
        OrderStatus.ASSIGNED: "assign",
        OrderStatus.PARTIALLY_ASSIGNED: ("assign_partially" if current == OrderStatus.UNASSIGNED
                                         else "release_partially"),
        OrderStatus.UNASSIGNED: "release",
        OrderStatus.PARTIALLY_SHIPPED: "ship_partially",
        OrderStatus.SHIPPED: "ship",
        OrderStatus.DELIVERED: "deliver",
        OrderStatus.COMPLETED: "complete",
    }[target]


# --- cancelling units of a shop order ------------------------------------------------------

@dataclass(frozen=True)
class LineUnits:
    """An order line as cancelling sees it."""

    line_id: int
    quantity: int
    assigned: int  # with suppliers
    cancelled: int


@dataclass(frozen=True)
class Held:
    """Units of an order line on one line of a dispatch order that still holds them."""

    dispatch_pk: int
    dispatch_line_pk: int
    line_id: int
    status: str  # its dispatch order's
    units: int  # not shipped
    shipped: int = 0


@dataclass
class CancelPlan:
    """Which units a cancel takes: waiting ones per line, and per dispatch order (each cancelled
    whole) the units of each of its lines."""

    waiting: dict[int, int] = field(default_factory=dict)  # line_id → units
    dispatch: dict[int, dict[int, int]] = field(default_factory=dict)  # pk → {dl pk: units}
    lines: dict[int, int] = field(default_factory=dict)  # line_id → units in all


# Where units can still be cancelled: at once, or by asking the supplier.
_CANCEL_AT_ONCE = _D.ASSIGNED
_CANCEL_BY_REQUEST = _D.ACCEPTED


def plan_cancel(lines: Sequence[LineUnits], held: Sequence[Held],
                wanted: Mapping[int, int] | None) -> CancelPlan:
    """Which units to cancel: `wanted` units per line, or (None) every unit that can still be
    cancelled. Per line, waiting units first, then those of `assigned` dispatch orders (cancelled
    at once), then of `accepted` ones (a request to the supplier). A line short of units is
    refused for the first reason that applies: units left already (ALREADY_SHIPPED), are
    cancelled or waiting for the supplier's answer (ALREADY_CANCELLED), or there are not that
    many (QUANTITY_EXCEEDS_REMAINING)."""
    plan = CancelPlan()
    by_line: dict[int, list[Held]] = {}
    for item in held:
        by_line.setdefault(item.line_id, []).append(item)
    for line in lines:
        mine = by_line.get(line.line_id, [])
        open_ = sorted((h for h in mine if h.status in (_CANCEL_AT_ONCE, _CANCEL_BY_REQUEST)
                        and h.units > 0),
                       key=lambda h: (h.status != _CANCEL_AT_ONCE, h.dispatch_pk,
                                      h.dispatch_line_pk))
        waiting = max(0, line.quantity - line.assigned - line.cancelled)
        available = waiting + sum(h.units for h in open_)
        asked = available if wanted is None else wanted.get(line.line_id, 0)
        if asked > available:
            raise _short(line, mine, available, asked)
        if asked <= 0:
            continue
        plan.lines[line.line_id] = asked
        now = min(asked, waiting)
        if now:
            plan.waiting[line.line_id] = now
        rest = asked - now
        for h in open_:
            if rest <= 0:
                break
            take = min(rest, h.units)
            plan.dispatch.setdefault(h.dispatch_pk, {})[h.dispatch_line_pk] = take
            rest -= take
    if not plan.lines:  # the whole order, and nothing left to cancel
        raise _nothing(lines, held)
    return plan


def _nothing(lines: Sequence[LineUnits], held: Sequence[Held]) -> DaifaError:
    """A cancel of the whole order that finds nothing to cancel."""
    sent = [h for h in held if h.shipped or h.status in SENT_STATUSES]
    if sent:
        return AlreadyShipped(line_id=min(h.line_id for h in sent), cancellable=0)
    return AlreadyCancelled(line_id=lines[0].line_id if lines else 0, cancellable=0)


def _short(line: LineUnits, mine: Sequence[Held], available: int, asked: int) -> DaifaError:
    if any(h.shipped or (h.status in SENT_STATUSES and h.units) for h in mine):
        return AlreadyShipped(line_id=line.line_id, cancellable=available)
    pending = sum(h.units for h in mine if h.status == _D.CANCEL_REQUESTED)
    if line.cancelled or pending:
        return AlreadyCancelled(line_id=line.line_id, cancellable=available)
    return QuantityExceedsRemaining(line_id=line.line_id, remaining=available, requested=asked)


def cancellable_units(quantity: int, assigned: int, cancelled: int,
                      held: Iterable[tuple[str, int]]) -> int:
    """Units of a line a cancel may still take: those waiting, and those of `assigned` or
    `accepted` dispatch orders (`held`: each dispatch order's status and unshipped units of
    the line). What a page offers is exactly what plan_cancel accepts."""
    waiting = max(0, quantity - assigned - cancelled)
    return waiting + sum(units for status, units in held
                         if status in (_CANCEL_AT_ONCE, _CANCEL_BY_REQUEST))


def recipient_may_change(dispatch_statuses: Iterable[str]) -> bool:
    """The recipient may be corrected while nothing of the order has left."""
    return not any(_D(status) in SENT_STATUSES for status in dispatch_statuses)
