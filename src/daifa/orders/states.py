"""Shop-order statuses: assignment first, then fulfilment, which follows the dispatch orders.

While any unit waits for a supplier the order is ``unassigned`` or ``partially_assigned`` (the
shop has work to do). Once every unit is with a supplier, the status follows the dispatch orders
that hold them (cancelled and rejected ones hold none): ``assigned`` until something ships, then
``partially_shipped``, ``shipped`` when all of them shipped, ``delivered`` and ``completed`` when
all of them are.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from daifa.dispatch.states import (
    ALL_DELIVERED_STATUSES,
    ALL_SHIPPED_STATUSES,
    RELEASED_STATUSES,
    SENT_STATUSES,
    DispatchStatus,
)
from daifa.kit.states import TransitionTable


class OrderStatus(StrEnum):
    UNASSIGNED = "unassigned"  # no unit of any line is with a supplier yet
    PARTIALLY_ASSIGNED = "partially_assigned"  # some units wait for manual assignment
    ASSIGNED = "assigned"  # every unit of every line is with a supplier
    PARTIALLY_SHIPPED = "partially_shipped"  # ... and some of them left
    SHIPPED = "shipped"  # every dispatch order shipped
    DELIVERED = "delivered"
    COMPLETED = "completed"


_O = OrderStatus
# Where units left while others wait again (a dispatch order cancelled or rejected with no backup
# after another one shipped).
_UNDER_WAY = (_O.ASSIGNED, _O.PARTIALLY_SHIPPED)

# Units come back to the order when a dispatch order is rejected with no backup left, or
# cancelled (issue 4).
ORDER_TRANSITIONS = TransitionTable[OrderStatus](
    "shop_order",
    OrderStatus,
    [
        ("assign", (_O.UNASSIGNED, _O.PARTIALLY_ASSIGNED), _O.ASSIGNED),
        ("assign_partially", _O.UNASSIGNED, _O.PARTIALLY_ASSIGNED),
        ("release", (_O.ASSIGNED, _O.PARTIALLY_ASSIGNED), _O.UNASSIGNED),
        ("release_partially", _UNDER_WAY, _O.PARTIALLY_ASSIGNED),
        ("ship_partially", (_O.ASSIGNED, _O.PARTIALLY_ASSIGNED), _O.PARTIALLY_SHIPPED),
        ("ship", (_O.ASSIGNED, _O.PARTIALLY_ASSIGNED, _O.PARTIALLY_SHIPPED), _O.SHIPPED),
        ("deliver", (_O.PARTIALLY_ASSIGNED, _O.PARTIALLY_SHIPPED, _O.SHIPPED), _O.DELIVERED),
        ("complete", _O.DELIVERED, _O.COMPLETED),
    ],
)

WAITING_STATUSES = ORDER_TRANSITIONS.name(
    "waiting", ORDER_TRANSITIONS.sources("assign"),
    "units wait for the shop to assign them (the shop's queue)")

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
