"""What one side may do to a dispatch order now, so pages offer exactly what the services accept.

The table's moves from the current status that this side makes (states.MOVED_BY), with `ship`
standing for both ship moves (the service picks partial or full), and the moves beside the table:
placing and releasing a hold (holds.py), revealing the recipient and printing a label
(recipient.py), correcting a tracking number (shipping). While held, the moves blocked by the hold
are not offered; they are in `after_release`, so a page can say why.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from daifa.dispatch.access import Party
from daifa.dispatch.states import (
    BLOCKED_WHILE_HELD,
    CORRECTABLE_STATUSES,
    DISPATCH_TRANSITIONS,
    HOLDABLE_STATUSES,
    MOVED_BY,
    RECIPIENT_VISIBLE_STATUSES,
    SHIP_ACTIONS,
    DispatchStatus,
)

# The supplier's moves that are not edges of the table, each with the statuses it needs.
_SUPPLIER_EXTRAS = {"reveal": RECIPIENT_VISIBLE_STATUSES, "label": RECIPIENT_VISIBLE_STATUSES,
                    "correct": CORRECTABLE_STATUSES}
# `ship` stands for the ship moves, so the hold blocks it with them.
_HELD_BACK = BLOCKED_WHILE_HELD | ({"ship"} if BLOCKED_WHILE_HELD & SHIP_ACTIONS else set())


class Viewed(Protocol):
    """What the decision reads of a dispatch order (the ORM row and the API model both fit)."""

    @property
    def status(self) -> str: ...

    @property
    def hold_reason(self) -> str | None: ...

    @property
    def held_by(self) -> str | None: ...


@dataclass(frozen=True)
class Allowed:
    """Actions one side may take now; `'ship' in allowed` reads as a question about `now`."""

    now: frozenset[str] = frozenset()
    after_release: frozenset[str] = frozenset()  # offered once the hold is released

    def __contains__(self, action: object) -> bool:
        return action in self.now

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.now))

    def __len__(self) -> int:
        return len(self.now)


def allowed(status: str, side: Party, hold_reason: str | None = None,
            held_by: str | None = None) -> Allowed:
    """The actions `side` may take on a dispatch order in `status`, given its hold."""
    current = DispatchStatus(status)
    actions = {action for action in DISPATCH_TRANSITIONS.actions_from(current)
               if MOVED_BY[action] == side}
    if actions & SHIP_ACTIONS:
        actions.add("ship")
    if side == "supplier":
        actions |= {name for name, where in _SUPPLIER_EXTRAS.items() if current in where}
    if hold_reason is None:
        if current in HOLDABLE_STATUSES:
            actions.add("hold")
        return Allowed(frozenset(actions))
    # The shop's hold is the shop's to release; the supplier's, either side's.
    if side == "shop" or held_by != "shop":
        actions.add("release")
    blocked = actions & _HELD_BACK
    return Allowed(frozenset(actions - blocked), frozenset(blocked))


def of(order: Viewed, side: Party) -> Allowed:
    return allowed(order.status, side, order.hold_reason, order.held_by)


@dataclass(frozen=True)
class ActionsByNumber:
    """The actions of each dispatch order on a page, by number."""

    by_no: dict[str, Allowed] = field(default_factory=dict)

    def __getitem__(self, no: str) -> Allowed:
        return self.by_no.get(no, Allowed())

    def anywhere(self, action: str) -> bool:
        """Whether some dispatch order on the page offers `action` (for bulk buttons)."""
        return any(action in one for one in self.by_no.values())


class Numbered(Viewed, Protocol):
    @property
    def dispatch_order_no(self) -> str: ...


def of_each(orders: Iterable[Numbered], side: Party) -> ActionsByNumber:
    return ActionsByNumber({order.dispatch_order_no: of(order, side) for order in orders})
