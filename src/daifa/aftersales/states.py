"""The after-sales case's statuses and its transition table.

A case opens ``requested`` with the supplier whose dispatch order shipped its units. What
approving means depends on the type, so each type approves by its own move:

- ``refund_only``: **approve_refund** closes the case at once, the supplier liable for the
  amount asked;
- ``return_and_refund`` and ``exchange``: **approve_return** → ``awaiting_return`` with the
  supplier's return address; the shop enters the buyer's parcel (**send_return**, again to
  correct it); the supplier **receive**s it with a condition → ``return_received``. As expected,
  a return-and-refund is **refund**ed (closed, supplier liable) and an exchange is **replace**d
  (→ ``approved``, its replacement dispatch order on the way); any other condition leaves the
  case ``return_received``, in dispute, for either side to escalate. A return not sent within
  the return window **lapse**s (closed, the buyer liable: nothing came back);
- ``reship``: **approve_reship** → ``approved`` with a new dispatch order to the same supplier.

``approved`` ends by **finish** when the replacement's parcels have all left (supplier
liable). **reject** (supplier) → ``rejected``; either side may **escalate** a rejected or
disputed case → ``in_arbitration``, where a platform admin's **decide** closes it with the
liability and amounts of the decision; a rejection nobody escalates within the escalation window
is **accept_rejection**ed by the system (closed, the buyer liable, nothing refunded). The shop
may **cancel** (withdraw) a case at any time before it closes, except while its replacement is
on the way. Silence is consent: a supplier that has not answered by ``reply_by`` is deemed to
approve (the same approve moves, by the system, recorded as automatic); a silent supplier
with no return address to send a return to is **refer**red to the platform instead.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from daifa.kit.states import TransitionTable


class CaseType(StrEnum):
    REFUND_ONLY = "refund_only"  # 仅退款
    RETURN_AND_REFUND = "return_and_refund"  # 退货退款
    RESHIP = "reship"  # 补发
    EXCHANGE = "exchange"  # 换货


class CaseStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    AWAITING_RETURN = "awaiting_return"
    RETURN_RECEIVED = "return_received"
    IN_ARBITRATION = "in_arbitration"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class CaseReason(StrEnum):
    """Why the shop opens a case."""

    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    NOT_AS_DESCRIBED = "not_as_described"
    QUALITY = "quality"
    NOT_RECEIVED = "not_received"
    CHANGED_MIND = "changed_mind"
    OTHER = "other"


class CaseRejectReason(StrEnum):
    """Why a supplier refuses a case."""

    NO_EVIDENCE = "no_evidence"
    USED_OR_DAMAGED_BY_BUYER = "used_or_damaged_by_buyer"
    OUTSIDE_POLICY = "outside_policy"
    OTHER = "other"


class Condition(StrEnum):
    """What the supplier found in the buyer's return parcel."""

    AS_EXPECTED = "as_expected"
    DAMAGED = "damaged"
    MISSING_ITEMS = "missing_items"
    WRONG_ITEM = "wrong_item"


class Liability(StrEnum):
    """Who bears a closed case."""

    SUPPLIER = "supplier"
    MERCHANT = "merchant"
    CARRIER = "carrier"
    BUYER = "buyer"
    PLATFORM = "platform"


RETURN_TYPES = frozenset({CaseType.RETURN_AND_REFUND, CaseType.EXCHANGE})
REPLACEMENT_TYPES = frozenset({CaseType.RESHIP, CaseType.EXCHANGE})
# The approve move of each type.
APPROVE_ACTION: dict[CaseType, str] = {
    CaseType.REFUND_ONLY: "approve_refund",
    CaseType.RETURN_AND_REFUND: "approve_return",
    CaseType.EXCHANGE: "approve_return",
    CaseType.RESHIP: "approve_reship",
}

_C = CaseStatus
_OPEN_BEFORE_REPLACEMENT = (_C.REQUESTED, _C.REJECTED, _C.AWAITING_RETURN, _C.RETURN_RECEIVED,
                            _C.IN_ARBITRATION)

CASE_TRANSITIONS = TransitionTable[CaseStatus](
    "after_sale",
    CaseStatus,
    [
        ("approve_refund", _C.REQUESTED, _C.CLOSED),
        ("approve_return", _C.REQUESTED, _C.AWAITING_RETURN),
        ("approve_reship", _C.REQUESTED, _C.APPROVED),
        ("reject", _C.REQUESTED, _C.REJECTED),
        ("refer", _C.REQUESTED, _C.IN_ARBITRATION),
        ("send_return", _C.AWAITING_RETURN, _C.AWAITING_RETURN),
        ("receive", _C.AWAITING_RETURN, _C.RETURN_RECEIVED),
        ("refund", _C.RETURN_RECEIVED, _C.CLOSED),
        ("replace", _C.RETURN_RECEIVED, _C.APPROVED),
        ("finish", _C.APPROVED, _C.CLOSED),
        ("lapse", _C.AWAITING_RETURN, _C.CLOSED),
        ("escalate", (_C.REJECTED, _C.RETURN_RECEIVED), _C.IN_ARBITRATION),
        ("accept_rejection", _C.REJECTED, _C.CLOSED),
        ("decide", _C.IN_ARBITRATION, _C.CLOSED),
        ("cancel", _OPEN_BEFORE_REPLACEMENT, _C.CANCELLED),
    ],
)

# Who makes each move; "either" is the shop or the supplier.
MOVED_BY: dict[str, Literal["shop", "supplier", "either", "admin", "system"]] = {
    "approve_refund": "supplier", "approve_return": "supplier", "approve_reship": "supplier",
    "reject": "supplier", "receive": "supplier", "send_return": "shop", "cancel": "shop",
    "escalate": "either", "decide": "admin", "refund": "system", "replace": "system",
    "finish": "system", "lapse": "system", "accept_rejection": "system", "refer": "system",
}

_T = CASE_TRANSITIONS
ANSWERABLE_STATUSES = _T.name("answerable", _T.sources("reject"),
                              "the supplier has to answer by reply_by, or it is deemed to approve")
IN_DISPUTE_STATUSES = _T.name("in_dispute", _T.sources("escalate"),
                              "the supplier refused or found the return wanting: either side "
                              "may escalate to the platform")
CLOSED_STATUSES = _T.name("closed", _T.targets("finish"),
                          "settled: the case has a liability and final amounts")
ENDED_STATUSES = _T.name("ended", _T.terminal(), "no edge leaves these")
# A withdrawn case gives its units back; every other case keeps them.
UNITS_HELD_STATUSES = _T.name("holding_units", frozenset(_C) - {_C.CANCELLED},
                              "the case's units count against what may still be claimed")
OPEN_STATUSES = _T.name("open", frozenset(_C) - ENDED_STATUSES,
                        "not closed nor withdrawn: the work queues show these")
