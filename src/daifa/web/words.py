"""What routing decisions and spreadsheet row errors say, in the reader's language.

Routing stores its reasons as codes (sku_rule, backup + skipped with why, NO_RULE...); the
importers report row errors as an English reason per column. Both are turned into sentences
here, so the templates only show them. Codes stay as they are, next to the words.
"""

from __future__ import annotations

import re
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
}
# The files' own column names; the zh catalog gives the Chinese headers of the templates.
COLUMNS = frozenset([
    N_("spu_code"), N_("title"), N_("sku_code"), N_("supply_price_fen"), N_("supply_price"),
    N_("stock"), N_("ship_from_region"), N_("spec"), N_("handling_hours"), N_("external_id"),
    N_("buyer_name"), N_("buyer_phone"), N_("province"), N_("city"), N_("district"),
    N_("address_detail"), N_("quantity"), N_("unit_price_fen"), N_("unit_price"),
    N_("paid_at")])
# The importers' English reasons; a reason not listed is shown as it came.
ROW_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"required"), N_("required")),
    (re.compile(r"required for a new product"), N_("required for a new product")),
    (re.compile(r"required \(supply_price_fen in fen or supply_price in yuan\)"),
     N_("required (supply price in yuan, or in fen)")),
    (re.compile(r"required \(unit_price in yuan or unit_price_fen in fen\)"),
     N_("required (unit price in yuan, or in fen)")),
    (re.compile(r"at most 64 characters, without spaces, / \\ \? # %"),
     N_("at most 64 characters, without spaces or / \\ ? # %")),
    (re.compile(r"a whole number from (?P<low>\d+) to (?P<high>\d+)"),
     N_("a whole number from %(low)s to %(high)s")),
    (re.compile(r"a whole number of fen, 0 or more"), N_("a whole number of fen, 0 or more")),
    (re.compile(r"an amount in yuan, like 12\.50"), N_("an amount in yuan, like 12.50")),
    (re.compile(r"must not be negative"), N_("must not be negative")),
    (re.compile(r"at most (?P<n>\d+) characters"), N_("at most %(n)s characters")),
    (re.compile(r"already in row (?P<row>\d+); each SKU once per file"),
     N_("already in row %(row)s; each SKU once per file")),
    (re.compile(r"belongs to product (?P<spu>.+) of this supplier"),
     N_("belongs to your product %(spu)s")),
    (re.compile(r"not a valid phone number"), N_("not a valid phone number")),
    (re.compile(r"a time like 2026-03-01 14:30:00"), N_("a time like 2026-03-01 14:30:00")),
    (re.compile(r"at most (?P<n>\d+) lines per order"), N_("at most %(n)s lines per order")),
    (re.compile(r"order not imported: row (?P<rows>[\d, ]+) of this order has errors"),
     N_("order not imported: row %(rows)s of this order has errors")),
]


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

    def waiting(self, reason: str, routing: Mapping[str, Any] | None) -> str:
        """Why units wait for manual assignment."""
        text = self._(WAITING[reason]) if reason in WAITING else reason
        skipped = self._skipped(routing or {})
        if skipped:
            text += " " + self._("Skipped: %(skipped)s.", skipped=skipped)
        return text

    def column(self, name: str) -> str:
        return self._(name) if name in COLUMNS else name

    def row_reason(self, reason: str) -> str:
        for pattern, message in ROW_REASONS:
            found = pattern.fullmatch(reason)
            if found:
                return self._(message, **found.groupdict())
        return reason

    def row_error(self, row: int, column: str, reason: str) -> str:
        """第N行：column，reason / Row N: column, reason."""
        return self._("Row %(row)s: %(column)s, %(reason)s", row=row,
                      column=self.column(column), reason=self.row_reason(reason))
