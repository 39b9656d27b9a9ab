"""What the fulfilment pages say about codes: reject and hold reasons, tracking statuses and carrier
shape warnings, in the reader's language.

Warnings carry a code and params and are rendered from the message catalog; the shipping file's
row errors are rendered by the spreadsheet pipeline (web/sheets.py). Codes and enum values stay as
they are, next to the words.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from daifa.dispatch.states import SUPPLIER_REJECT_REASONS, HoldReason, RejectReason
from daifa.messages import render
from daifa.shipping.carriers import CARRIERS, Carrier
from daifa.web.messages import N_, say

Gettext = Callable[..., str]
# The choices of the reject and hold forms, in the order shown.
REJECT_CHOICES = [reason.value for reason in RejectReason if reason in SUPPLIER_REJECT_REASONS]
HOLD_CHOICES = [reason.value for reason in HoldReason]

REJECT_REASONS = {
    "out_of_stock": N_("Out of stock"),
    "cannot_ship_region": N_("Cannot ship to this region"),
    "price_changed": N_("Price changed"),
    "other": N_("Other reason"),
    "acceptance_timeout": N_("Not accepted in time"),
    "supplier_suspended": N_("The supplier was suspended"),
}
HOLD_REASONS = {
    "address_problem": N_("Address problem"),
    "out_of_stock": N_("Out of stock"),
    "awaiting_payment": N_("Awaiting payment"),
    "other": N_("Other reason"),
}
PURPOSES = {
    "label": N_("To print the label"),
    "contact": N_("To contact the buyer"),
    "other": N_("Other reason"),
}
TRACKING = {
    "awaiting_pickup": N_("Awaiting pickup"),
    "collected": N_("Collected"),
    "in_transit": N_("In transit"),
    "out_for_delivery": N_("Out for delivery"),
    "problem": N_("Problem"),
    "delivered": N_("Delivered"),
    "refused": N_("Refused"),
    "returning": N_("Returning"),
}
class ShippingWords:
    """Sentences for one request's language."""

    def __init__(self, gettext: Gettext) -> None:
        self._ = gettext

    def _known(self, table: dict[str, str], code: str | None) -> str:
        if not code:
            return ""
        return self._(table[code]) if code in table else code

    def reject_reason(self, code: str | None) -> str:
        return self._known(REJECT_REASONS, code)

    def hold_reason(self, code: str | None) -> str:
        return self._known(HOLD_REASONS, code)

    def purpose(self, code: str | None) -> str:
        return self._known(PURPOSES, code)

    def tracking(self, code: str | None) -> str:
        return self._known(TRACKING, code)

    def carrier(self, carrier: Carrier, locale: str) -> str:
        """顺丰 SF, or in English SF Express (顺丰) SF."""
        if locale == "zh_CN":
            return f"{carrier.name} {carrier.code}"
        return f"{carrier.name_en} ({carrier.name}) {carrier.code}"

    def warning(self, warning: str) -> str:
        """A warning (a tracking-number shape, shipped anyway) from its code and params."""
        return say(warning, self._)

    def notice(self, code: str, params: Mapping[str, Any]) -> str:
        return render(code, params, self._)



def carriers() -> tuple[Carrier, ...]:
    return CARRIERS
