"""Shop-order statuses: assignment first, then fulfilment, which follows the dispatch orders.

While any unit waits for a supplier the order is ``unassigned`` or ``partially_assigned`` (the
shop has work to do). Once every unit is with a supplier, the status follows the dispatch orders
that hold them (cancelled and rejected ones hold none): ``assigned`` until something ships, then
``partially_shipped``, ``shipped`` when all of them shipped, ``delivered`` and ``completed`` when
all of them are.
"""

from __future__ import annotations

from enum import StrEnum

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
# cancelled by the shop.
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
