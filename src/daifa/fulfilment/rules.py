"""The shop order's progress: its status follows its units and its dispatch orders.

The shop order's table lives in orders/states.py; which status its units and dispatch orders add
up to needs the dispatch-order statuses, so the decision lives here, above both.
"""

from __future__ import annotations

from collections.abc import Iterable

from daifa.dispatch.states import DispatchStatus
from daifa.orders.states import OrderStatus

_D = DispatchStatus
_HOLDS_NOTHING = frozenset({_D.CANCELLED, _D.REJECTED})
_SENT = frozenset({_D.PARTIALLY_SHIPPED, _D.SHIPPED, _D.DELIVERED, _D.COMPLETED})
_ALL_SHIPPED = frozenset({_D.SHIPPED, _D.DELIVERED, _D.COMPLETED})
_ALL_DELIVERED = frozenset({_D.DELIVERED, _D.COMPLETED})


def status_for(quantity: int, assigned: int,
               dispatch_statuses: Iterable[str] = ()) -> OrderStatus:
    """The status of an order with `quantity` units of which `assigned` are with suppliers,
    whose dispatch orders are in `dispatch_statuses` (any order, cancelled ones included)."""
    if assigned <= 0:
        return OrderStatus.UNASSIGNED
    if assigned < quantity:
        return OrderStatus.PARTIALLY_ASSIGNED
    live = {_D(status) for status in dispatch_statuses} - _HOLDS_NOTHING
    if not live & _SENT:
        return OrderStatus.ASSIGNED
    if live == {_D.COMPLETED}:
        return OrderStatus.COMPLETED
    if live <= _ALL_DELIVERED:
        return OrderStatus.DELIVERED
    return OrderStatus.SHIPPED if live <= _ALL_SHIPPED else OrderStatus.PARTIALLY_SHIPPED


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
