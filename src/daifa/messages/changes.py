"""Templates for changes to a shop order before it ships: cancelling units, correcting the
recipient, and the suspended supplier that can take no new work."""

from __future__ import annotations

from daifa.messages.marks import N_

CHANGES: dict[str, str] = {
    "ALREADY_SHIPPED": N_("Units of line %(line_id)s have already left the supplier (or their "
                          "dispatch order has started shipping): they can no longer be "
                          "cancelled, and the recipient can no longer change."),
    "ALREADY_CANCELLED": N_("The units asked for on line %(line_id)s are cancelled already, or "
                            "their cancellation waits for the supplier's answer; "
                            "%(cancellable)s of the line's units can still be cancelled."),
    "SUPPLIER_SUSPENDED": N_("Supplier %(supplier_id)s is suspended by the platform and cannot "
                             "take new work; dispatch orders it accepted before are still its "
                             "to ship."),
}
