"""The shop order's progress: its status follows its units and its dispatch orders.

The shop order's table lives in orders/states.py; which status its units and dispatch orders add
up to needs the dispatch-order statuses, so the decision lives here, above both.
"""

from __future__ import annotations

from collections.abc import Iterable

from daifa.dispatch.states import (
    ALL_DELIVERED_STATUSES,
    ALL_SHIPPED_STATUSES,
    RELEASED_STATUSES,
    SENT_STATUSES,
    DispatchStatus,
)
from daifa.orders.states import OrderStatus

_D = DispatchStatus


def status_for(quantity: int, assigned: int,
               dispatch_statuses: Iterable[str] = ()) -> OrderStatus:
    """The status of an order with `quantity` units of which `assigned` are with suppliers,
    whose dispatch orders are in `dispatch_statuses` (any order, cancelled ones included)."""
    if assigned <= 0:
        return OrderStatus.UNASSIGNED
    if assigned < quantity:
        return OrderStatus.PARTIALLY_ASSIGNED
    live = {_D(status) for status in dispatch_statuses} - RELEASED_STATUSES
    if not live & SENT_STATUSES:
        return OrderStatus.ASSIGNED
    if live == {_D.COMPLETED}:
        return OrderStatus.COMPLETED
    if live <= ALL_DELIVERED_STATUSES:
        return OrderStatus.DELIVERED
    return OrderStatus.SHIPPED if live <= ALL_SHIPPED_STATUSES else OrderStatus.PARTIALLY_SHIPPED


def action_between(current: OrderStatus, target: OrderStatus) -> str | None:
    """The transition that moves `current` to `target`, None when they are the same."""
    if current == target:
        return None
    return {
        OrderStatus.ASSIGNED: "assign",
        OrderStatus.PARTIALLY_ASSIGNED: ("assign_partially" if current == OrderStatus.UNASSIGNED
                                         else "release_partially"),
        OrderStatus.UNASSIGNED: "release",
        OrderStatus.PARTIALLY_SHIPPED: "ship_partially",
        OrderStatus.SHIPPED: "ship",
        OrderStatus.DELIVERED: "deliver",
        OrderStatus.COMPLETED: "complete",
    }[target]
