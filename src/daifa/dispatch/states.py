"""The dispatch-order (代发单) lifecycle.

Statuses: ``assigned → accepted → partially_shipped → shipped → delivered → completed``,
plus ``rejected`` and ``cancel_requested → cancelled`` (docs/api.md). Decisions made here, where
the fulfilment flow (docs/design.md) and the API guide leave room:

- **reject** only from ``assigned``. Once a supplier accepted, it cannot walk away on its own: it
  places a hold (e.g. ``out_of_stock``) and the shop decides to cancel. ``expire`` is the worker's
  move for an acceptance deadline missed (same edge, reason ``acceptance_timeout``), kept apart
  so the timeline shows who acted. A rejected order is final; rerouting makes a *new* dispatch
  order for the backup supplier.
- **cancel** (by the shop) is immediate while ``assigned``; once ``accepted`` it becomes
  **request_cancel** (→ ``cancel_requested``) and the supplier answers with **accept_cancel**
  (→ ``cancelled``) or **refuse_cancel**. Cancelling is refused once anything shipped (no edge
  from ``partially_shipped`` or later), so the status before a request is always ``accepted``
  and ``refuse_cancel`` returns there: the API's "back to the status before the request" without
  storing that status. Nothing ships while ``cancel_requested``: the supplier refuses the
  cancel first, so ship-vs-cancel races have exactly one winner.
- **reassign** (by the shop, while ``assigned``) ends the old dispatch order as ``cancelled``
  with reason ``REASSIGNED_REASON``; the new supplier gets a new dispatch order.
- **Holds are not a status.** A hold is a separate nullable ``hold_reason`` field
  (``HoldReason``) that shop or supplier sets and clears while the order is in
  ``HOLDABLE_STATUSES``. The status underneath is untouched, so placing or releasing a hold
  never loses where the order was. While held, the actions in ``BLOCKED_WHILE_HELD`` (shipping)
  are refused by the service; cancelling, rejecting and accepting stay possible.
"""

from __future__ import annotations

from enum import StrEnum

from daifa.kit.states import TransitionTable


class DispatchStatus(StrEnum):
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCEL_REQUESTED = "cancel_requested"
    CANCELLED = "cancelled"


class HoldReason(StrEnum):
    ADDRESS_PROBLEM = "address_problem"
    OUT_OF_STOCK = "out_of_stock"
    AWAITING_PAYMENT = "awaiting_payment"
    OTHER = "other"


class RejectReason(StrEnum):
    OUT_OF_STOCK = "out_of_stock"
    CANNOT_SHIP_REGION = "cannot_ship_region"
    PRICE_CHANGED = "price_changed"
    OTHER = "other"
    ACCEPTANCE_TIMEOUT = "acceptance_timeout"  # set by the worker (action "expire"), not a person


# Reasons a supplier may give when rejecting by hand.
SUPPLIER_REJECT_REASONS = frozenset(RejectReason) - {RejectReason.ACCEPTANCE_TIMEOUT}

REASSIGNED_REASON = "reassigned"

_S = DispatchStatus
_SHIPPABLE = (_S.ACCEPTED, _S.PARTIALLY_SHIPPED)

DISPATCH_TRANSITIONS = TransitionTable[DispatchStatus](
    "dispatch_order",
    DispatchStatus,
    [
        ("accept", _S.ASSIGNED, _S.ACCEPTED),
        ("reject", _S.ASSIGNED, _S.REJECTED),
        ("expire", _S.ASSIGNED, _S.REJECTED),
        ("ship_partially", _SHIPPABLE, _S.PARTIALLY_SHIPPED),
        ("ship_fully", _SHIPPABLE, _S.SHIPPED),
        ("deliver", _S.SHIPPED, _S.DELIVERED),
        ("complete", _S.DELIVERED, _S.COMPLETED),
        ("cancel", _S.ASSIGNED, _S.CANCELLED),
        ("reassign", _S.ASSIGNED, _S.CANCELLED),
        ("request_cancel", _S.ACCEPTED, _S.CANCEL_REQUESTED),
        ("accept_cancel", _S.CANCEL_REQUESTED, _S.CANCELLED),
        ("refuse_cancel", _S.CANCEL_REQUESTED, _S.ACCEPTED),
    ],
)

# The supplier still has work to do or a decision to make: these count as "open" for unbinding
# and for the supplier's work queue. Shipped/delivered parcels are in the carrier's hands.
OPEN_STATUSES = frozenset({_S.ASSIGNED, _S.ACCEPTED, _S.PARTIALLY_SHIPPED, _S.CANCEL_REQUESTED})

# No edge leaves these.
TERMINAL_STATUSES = frozenset({_S.COMPLETED, _S.REJECTED, _S.CANCELLED})

# A hold may be placed (and released) only before the goods have all left.
HOLDABLE_STATUSES = frozenset({_S.ASSIGNED, _S.ACCEPTED, _S.PARTIALLY_SHIPPED})

# Actions the service refuses while hold_reason is set.
BLOCKED_WHILE_HELD = frozenset({"ship_partially", "ship_fully"})

# The full recipient may be revealed only in these (docs/api.md: /recipient).
RECIPIENT_VISIBLE_STATUSES = frozenset({_S.ACCEPTED, _S.PARTIALLY_SHIPPED})
# A dispatch order in these no longer holds its units of the shop order's lines.
RELEASED = frozenset({_S.CANCELLED, _S.REJECTED})
