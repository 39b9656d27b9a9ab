"""Shop-order statuses: assignment first, then fulfilment, which follows the dispatch orders.

While any unit waits for a supplier the order is ``unassigned`` or ``partially_assigned`` (the
shop has work to do). Once every unit is with a supplier, the status follows the dispatch orders
that hold them (cancelled and rejected ones hold none): ``assigned`` until something ships, then
``partially_shipped``, ``shipped`` when all of them shipped, ``delivered`` and ``completed`` when
all of them are.

Cancelling (the shop cancels units before they leave) adds ``cancelled`` (every unit cancelled)
and ``partially_cancelled``: some units cancelled, every other unit with a supplier and nothing
left yet. Waiting units come first (the order is in the shop's queue while any wait), and once
something of the rest has left, the order follows the rest as before (``partially_shipped`` ...);
the cancelled units stay on the lines (``cancelled_quantity``) whatever the status says.
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
    PARTIALLY_CANCELLED = "partially_cancelled"  # some units cancelled, the rest with suppliers
    CANCELLED = "cancelled"  # every unit cancelled


_O = OrderStatus
# Where units left while others wait again (a dispatch order cancelled or rejected with no backup
# after another one shipped).
_UNDER_WAY = (_O.ASSIGNED, _O.PARTIALLY_SHIPPED, _O.PARTIALLY_CANCELLED)
# Nothing has left: every unit may still be cancelled.
_UNSENT = (_O.UNASSIGNED, _O.PARTIALLY_ASSIGNED, _O.ASSIGNED, _O.PARTIALLY_CANCELLED)

# Units come back to the order when a dispatch order is rejected with no backup left, or
# cancelled by the shop.
ORDER_TRANSITIONS = TransitionTable[OrderStatus](
    "shop_order",
    OrderStatus,
    [
        ("assign", (_O.UNASSIGNED, _O.PARTIALLY_ASSIGNED), _O.ASSIGNED),
        ("assign_partially", _O.UNASSIGNED, _O.PARTIALLY_ASSIGNED),
        # the waiting rest of a partly cancelled order goes to suppliers
        ("assign_rest", (_O.UNASSIGNED, _O.PARTIALLY_ASSIGNED), _O.PARTIALLY_CANCELLED),
        ("release", (_O.ASSIGNED, _O.PARTIALLY_ASSIGNED, _O.PARTIALLY_CANCELLED), _O.UNASSIGNED),
        ("release_partially", _UNDER_WAY, _O.PARTIALLY_ASSIGNED),
        ("ship_partially", (_O.ASSIGNED, _O.PARTIALLY_ASSIGNED, _O.PARTIALLY_CANCELLED),
         _O.PARTIALLY_SHIPPED),
        ("ship", (_O.ASSIGNED, _O.PARTIALLY_ASSIGNED, _O.PARTIALLY_SHIPPED,
                  _O.PARTIALLY_CANCELLED), _O.SHIPPED),
        ("deliver", (_O.PARTIALLY_ASSIGNED, _O.PARTIALLY_SHIPPED, _O.SHIPPED), _O.DELIVERED),
        # waiting units cancelled while the rest had arrived already
        ("complete", (_O.DELIVERED, _O.PARTIALLY_ASSIGNED), _O.COMPLETED),
        ("cancel", _UNSENT, _O.CANCELLED),
        ("cancel_partially", (_O.PARTIALLY_ASSIGNED, _O.ASSIGNED), _O.PARTIALLY_CANCELLED),
    ],
)

WAITING_STATUSES = ORDER_TRANSITIONS.name(
    "waiting", ORDER_TRANSITIONS.sources("assign"),
    "units wait for the shop to assign them (the shop's queue)")
