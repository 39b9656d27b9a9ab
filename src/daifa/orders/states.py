"""Shop-order statuses as far as assignment goes (fulfilment adds more later)."""

from __future__ import annotations

from enum import StrEnum

from daifa.kit.states import TransitionTable


class OrderStatus(StrEnum):
    UNASSIGNED = "unassigned"  # no unit of any line is with a supplier yet
    PARTIALLY_ASSIGNED = "partially_assigned"  # some units wait for manual assignment
    ASSIGNED = "assigned"  # every unit of every line is with a supplier


# Units come back to the order when a dispatch order is rejected with no backup left (issue 4).
ORDER_TRANSITIONS = TransitionTable[OrderStatus](
    "shop_order",
    OrderStatus,
    [
        ("assign", (OrderStatus.UNASSIGNED, OrderStatus.PARTIALLY_ASSIGNED), OrderStatus.ASSIGNED),
        ("assign_partially", OrderStatus.UNASSIGNED, OrderStatus.PARTIALLY_ASSIGNED),
        ("release", (OrderStatus.ASSIGNED, OrderStatus.PARTIALLY_ASSIGNED),
         OrderStatus.UNASSIGNED),
        ("release_partially", OrderStatus.ASSIGNED, OrderStatus.PARTIALLY_ASSIGNED),
    ],
)

WAITING_STATUSES = frozenset({OrderStatus.UNASSIGNED, OrderStatus.PARTIALLY_ASSIGNED})


def status_for(quantity: int, assigned: int) -> OrderStatus:
    """The status of an order with `quantity` units of which `assigned` are with suppliers."""
    if assigned <= 0:
        return OrderStatus.UNASSIGNED
    return OrderStatus.ASSIGNED if assigned >= quantity else OrderStatus.PARTIALLY_ASSIGNED


def action_between(current: OrderStatus, target: OrderStatus) -> str | None:
    """The transition that moves `current` to `target`, None when they are the same."""
    if current == target:
        return None
    return {
        OrderStatus.ASSIGNED: "assign",
        OrderStatus.PARTIALLY_ASSIGNED: ("assign_partially" if current == OrderStatus.UNASSIGNED
                                         else "release_partially"),
        OrderStatus.UNASSIGNED: "release",
    }[target]
