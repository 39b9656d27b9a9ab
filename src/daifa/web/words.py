"""What routing decisions say, in the reader's language.

Routing stores its reasons as codes (sku_rule, backup + skipped with why, NO_RULE...); they are
turned into sentences here, so the templates only show them. Codes stay as they are, next to
the words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from daifa.web.messages import N_

Gettext = Callable[..., str]

REASONS = {
    "sku_rule": N_("First choice of the SKU rule."),
    "product_rule": N_("First choice of the product rule."),
    "store_default": N_("The store's default supplier."),
    "manual": N_("Assigned by hand."),
}
BASES = {
    "sku_rule": N_("the SKU rule"),
    "product_rule": N_("the product rule"),
    "store_default": N_("the store default"),
    "manual": N_("a manual choice"),
}
SKIPS = {
    "unbound": N_("not bound to the shop"),
    "suspended": N_("suspended"),
    "out_of_stock": N_("out of stock"),
    "no_source": N_("no SKU of theirs is mapped to it"),
}
WAITING = {
    "UNKNOWN_SKU": N_("The shop has no SKU with this code: add it to the catalog with a source, "
                      "then assign it by hand."),
    "NO_RULE": N_("No SKU or product rule matches it and the store-default fallback is off, so "
                  "it waits for manual assignment."),
    "MANUAL_MODE": N_("The shop assigns orders by hand (manual mode)."),
    "NO_ELIGIBLE_SUPPLIER": N_("None of the rule's suppliers could take it."),
    "RELEASED": N_("Its units came back from a rejected or cancelled dispatch order."),
    "REJECTED": N_("Its supplier rejected them (or could no longer take them) and no backup "
                   "was left."),
    "CANCELLED": N_("Their dispatch order was cancelled."),
    "SPLIT_BY_CANCEL": N_("Other units of their dispatch order were cancelled, so it was "
                          "cancelled whole; assign these again."),
}
ORDER_STATUSES = {
    "unassigned": N_("Waiting for assignment"),
    "partially_assigned": N_("Partly assigned"),
    "assigned": N_("Assigned"),
    "partially_shipped": N_("Partly shipped"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "completed": N_("Completed"),
    "partially_cancelled": N_("Partly cancelled"),
    "cancelled": N_("Cancelled"),
}
DISPATCH_STATUSES = {
    "assigned": N_("Awaiting acceptance"),
    "accepted": N_("Accepted"),
    "partially_shipped": N_("Partly shipped"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "completed": N_("Completed"),
    "rejected": N_("Rejected"),
    "cancel_requested": N_("Cancel requested"),
    "cancelled": N_("Cancelled"),
}
class Words:
    """Sentences for one request's language."""

    def __init__(self, gettext: Gettext, names: Mapping[str, str] | None = None) -> None:
        self._ = gettext
        self.names = dict(names or {})

    def supplier(self, supplier_id: str) -> str:
        name = self.names.get(supplier_id)
        return f"{name} ({supplier_id})" if name else supplier_id

    def _skipped(self, routing: Mapping[str, Any]) -> str:
        parts = [self._("%(supplier)s: %(why)s", supplier=self.supplier(str(s["supplier_id"])),
                        why=self._(SKIPS.get(s["why"], s["why"])))
                 for s in routing.get("skipped", [])]
        return "; ".join(parts)

    def assignment(self, reason: str, routing: Mapping[str, Any] | None) -> str:
        """Why units went to the supplier they went to."""
        routing = routing or {}
        if reason == "backup":
            basis = routing.get("basis", "")
            text = self._("A backup supplier under %(basis)s; skipped before it: %(skipped)s.",
                          basis=self._(BASES.get(basis, basis)), skipped=self._skipped(routing))
        else:
            text = self._(REASONS[reason]) if reason in REASONS else reason
        backups = routing.get("backups") or []
        if backups:
            text += " " + self._("Backups if it is rejected: %(list)s.",
                                 list=", ".join(self.supplier(b) for b in backups))
        return text

    def order_status(self, status: str) -> str:
        """A shop order's status in words (the code stays beside it on the page)."""
        return self._(ORDER_STATUSES[status]) if status in ORDER_STATUSES else status

    def dispatch_status(self, status: str) -> str:
        return self._(DISPATCH_STATUSES[status]) if status in DISPATCH_STATUSES else status

    def waiting(self, reason: str, routing: Mapping[str, Any] | None) -> str:
        """Why units wait for manual assignment."""
        text = self._(WAITING[reason]) if reason in WAITING else reason
        skipped = self._skipped(routing or {})
        if skipped:
            text += " " + self._("Skipped: %(skipped)s.", skipped=skipped)
        return text
