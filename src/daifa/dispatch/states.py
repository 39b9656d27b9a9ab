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
- **withdraw** (the system, while ``assigned``): the platform suspended the supplier, so what
  it has not accepted is taken away like a rejection (reason ``supplier_suspended``) and goes to
  the backups; what it accepted stays its to ship. A suspended supplier cannot accept.
- **Cancelling units of the shop order** (fulfilment/cancel.py) uses the same two moves: a
  dispatch order is cancelled whole, its lines' ``cancel_quantity`` saying which units the shop
  cancels; the rest go back to the shop's queue. A refused request clears them.
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
from typing import Literal

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


class DispatchPurpose(StrEnum):
    """What a dispatch order ships: the shop order's own units, or an after-sales replacement
    (its units were shipped once already: they count neither for the shop order's status nor
    for its units waiting)."""

    ORDER = "order"
    RESHIP = "reship"
    EXCHANGE = "exchange"


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
    SUPPLIER_SUSPENDED = "supplier_suspended"  # the platform suspended it (action "withdraw")


# Reasons a supplier may give when rejecting by hand.
SUPPLIER_REJECT_REASONS = frozenset(RejectReason) - {RejectReason.ACCEPTANCE_TIMEOUT,
                                                     RejectReason.SUPPLIER_SUSPENDED}

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
        ("withdraw", _S.ASSIGNED, _S.REJECTED),
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

_T = DISPATCH_TRANSITIONS

# Who makes each move. The system's moves (the worker's sweeps, tracking) are nobody's button.
MOVED_BY: dict[str, Literal["shop", "supplier", "system"]] = {
    "accept": "supplier", "reject": "supplier", "ship_partially": "supplier",
    "ship_fully": "supplier", "accept_cancel": "supplier", "refuse_cancel": "supplier",
    "cancel": "shop", "request_cancel": "shop", "reassign": "shop",
    "expire": "system", "withdraw": "system", "deliver": "system", "complete": "system",
}
SHIP_ACTIONS = frozenset({"ship_partially", "ship_fully"})
# Moves after which the units are no longer the supplier's.
ENDING_ACTIONS = frozenset({"reject", "expire", "withdraw", "cancel", "accept_cancel",
                            "reassign"})

OPEN_STATUSES = _T.name(
    "open", _T.sources(*(a for a, by in MOVED_BY.items() if by == "supplier")),
    "the supplier still has work to do or a decision to make: its work queue, and unbinding "
    "waits for them; shipped parcels are in the carrier's hands")
SHIPPABLE_STATUSES = _T.name("shippable", _T.sources(*SHIP_ACTIONS),
                             "accepted and not all shipped: a parcel may leave")
HOLDABLE_STATUSES = _T.name(
    "holdable", _T.sources("accept", *SHIP_ACTIONS),
    "units still to leave, and only the supplier moves them on: a hold may be placed")
LATE_STATUSES = _T.name(
    "late_able", HOLDABLE_STATUSES,
    "the same units still to leave: the worker flags these late once ship_by passed (a "
    "pending cancel request stops the clock until the supplier answers)")
SENT_STATUSES = _T.name("sent", _T.reachable(_T.targets(*SHIP_ACTIONS)),
                        "something has left: nothing cancels any more")
ALL_SHIPPED_STATUSES = _T.name("all_shipped", _T.reachable(_T.targets("ship_fully")),
                               "every unit has left")
ALL_DELIVERED_STATUSES = _T.name("all_delivered", _T.reachable(_T.targets("deliver")),
                                 "every parcel arrived")
CORRECTABLE_STATUSES = _T.name(
    "correctable", SENT_STATUSES & _T.sources(*SHIP_ACTIONS, "deliver"),
    "a parcel left and not everything arrived: a tracking number may be corrected")
RELEASED_STATUSES = _T.name("released", _T.targets(*ENDING_ACTIONS),
                            "the dispatch order no longer holds its units of the shop order")
TERMINAL_STATUSES = _T.name("terminal", _T.terminal(), "no edge leaves these")
# The full recipient may be revealed only in these (docs/api.md: /recipient).
RECIPIENT_VISIBLE_STATUSES = _T.name(
    "recipient_visible", SHIPPABLE_STATUSES,
    "accepted and not all shipped: the full recipient may be revealed (to print a label)")
UNBIND_BLOCKING = _T.name("unbind_blocking", OPEN_STATUSES,
                          "unbinding the supplier is refused while the shop has these")

# Actions the service refuses while hold_reason is set.
BLOCKED_WHILE_HELD = SHIP_ACTIONS
