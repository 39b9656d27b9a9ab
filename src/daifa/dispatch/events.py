"""What happened to a dispatch order, for the reactions table (fulfilment.reactions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from daifa.dispatch.access import Target
from daifa.dispatch.states import SHIP_ACTIONS

# Moves after which the units are no longer the old supplier's and nothing ships: they go on to
# backups, or back to the shop order.
ENDED_UNSHIPPED = frozenset({"reject", "expire", "withdraw"})
CANCEL_ACTIONS = frozenset({"cancel", "accept_cancel"})
# Moves that change what the shop order's units are doing.
UNITS_MOVED = SHIP_ACTIONS | {"deliver", "complete"} | ENDED_UNSHIPPED | CANCEL_ACTIONS


@dataclass(slots=True)
class DispatchOrderMoved:
    """A dispatch order moved along its table (`action`), or something happened beside the
    status: `held`, `hold_released`, `late`, `recipient_changed`.

    `shop_extra` is told to the shop only (where a rejected order's units went); reactions that
    run earlier may fill it in. `extra` goes to both sides.
    """

    target: Target
    action: str
    previous: str | None
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    shop_extra: dict[str, Any] | None = None
