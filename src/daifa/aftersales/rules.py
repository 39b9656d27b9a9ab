"""Pure decisions about cases: which units may still be claimed, how they split over the
dispatch orders that shipped them, how much may be refunded, and how a closing move settles."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from daifa.aftersales.errors import QuantityExceedsEligible, RefundExceedsPaid
from daifa.aftersales.states import REPLACEMENT_TYPES, CaseType, Liability


@dataclass(frozen=True, slots=True)
class Shipped:
    """Units of one order line that one dispatch line shipped, and how many are claimed."""

    dispatch_line_pk: int
    dispatch_order_pk: int
    shipped: int
    claimed: int

    @property
    def eligible(self) -> int:
        return max(self.shipped - self.claimed, 0)


@dataclass(frozen=True, slots=True)
class Claim:
    dispatch_line_pk: int
    line_pk: int
    quantity: int


def split(asked: Mapping[int, int], shipped: Mapping[int, Sequence[Shipped]]
          ) -> dict[int, list[Claim]]:
    """The units asked per order line, taken from the dispatch lines that shipped them (oldest
    first), grouped by dispatch order: each group becomes one case."""
    cases: dict[int, list[Claim]] = {}
    for line_pk, quantity in asked.items():
        sources = shipped.get(line_pk, ())
        eligible = sum(source.eligible for source in sources)
        if quantity > eligible:
            raise QuantityExceedsEligible(line_id=line_pk, quantity=quantity, eligible=eligible)
        left = quantity
        for source in sorted(sources, key=lambda s: s.dispatch_line_pk):
            take = min(left, source.eligible)
            if take:
                cases.setdefault(source.dispatch_order_pk, []).append(
                    Claim(source.dispatch_line_pk, line_pk, take))
                left -= take
    return cases


def share(total: int, weights: Sequence[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder): the parts sum to it."""
    whole = sum(weights)
    if whole <= 0:
        return [0 for _ in weights]
    parts = [total * weight // whole for weight in weights]
    order = sorted(range(len(weights)), key=lambda i: -(total * weights[i] % whole))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def refund_asked(kind: CaseType, refund_fen: int | None, paid_fen: int) -> int:
    """The refund the shop asks: everything paid unless it says less; nothing for a
    replacement unless it says so; never more than the buyer paid for the units."""
    if refund_fen is None:
        return 0 if kind in REPLACEMENT_TYPES else paid_fen
    if refund_fen > paid_fen:
        raise RefundExceedsPaid(refund_fen=refund_fen, paid_fen=paid_fen)
    return refund_fen


def window_closes(delivered_at: datetime | None, window_days: int) -> datetime | None:
    """When claims on a dispatch order's units stop: the after-sales window after delivery
    (none before delivery: a parcel on its way may be lost)."""
    return None if delivered_at is None else delivered_at + timedelta(days=window_days)


def case_no(now: datetime, pk: int) -> str:
    return f"AS{now:%y%m%d}{pk:08d}"


# The liability a closing move records, and whether the refund asked is granted.
OUTCOME: dict[str, tuple[Liability, bool]] = {
    "approve_refund": (Liability.SUPPLIER, True),
    "refund": (Liability.SUPPLIER, True),
    "finish": (Liability.SUPPLIER, True),
    "lapse": (Liability.BUYER, False),
    "accept_rejection": (Liability.BUYER, False),
}


def settle(action: str, refund_fen: int) -> tuple[Liability, int]:
    liability, granted = OUTCOME[action]
    return liability, refund_fen if granted else 0
