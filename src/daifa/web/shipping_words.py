"""What the fulfilment pages say about codes: reject and hold reasons, tracking statuses and
carrier shape warnings, in the reader's language.

Carrier shape warnings are English sentences (the API's `warnings`); the console turns the known
ones into message ids of its catalogs and shows anything else as it came. Codes and enum values
stay as they are, next to the words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from daifa.dispatch.states import SUPPLIER_REJECT_REASONS, HoldReason, RejectReason
from daifa.shipping.carriers import CARRIERS, Carrier
from daifa.web.messages import N_

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
SHAPE_HINTS = {
    "SF + 13 characters, or 12 digits": N_("SF + 13 characters, or 12 digits"),
    "14 digits starting 73-76 or 78": N_("14 digits starting 73-76 or 78"),
    "YT + 13 digits": N_("YT + 13 digits"),
    "15 digits starting 77": N_("15 digits starting 77"),
    "15 digits starting 3 or 4, or 13 digits starting 5":
        N_("15 digits starting 3 or 4, or 13 digits starting 5"),
    "JD + 2 letters + 11 digits": N_("JD + 2 letters + 11 digits"),
    "13 digits": N_("13 digits"),
    "JT + 13 digits": N_("JT + 13 digits"),
}
_SHAPE = re.compile(r"(?P<no>\S+) does not look like a (?P<name>\S+) (?P<code>\S+) tracking "
                    r"number \(usually (?P<hint>.+)\)")
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

    def warning(self, text: str) -> str:
        """A tracking-number shape warning, shipped anyway."""
        found = _SHAPE.fullmatch(text)
        if found is None:
            return text
        hint = found["hint"]
        return self._("%(no)s does not look like a %(name)s %(code)s tracking number (usually "
                      "%(hint)s). It was taken anyway; check it.", no=found["no"],
                      name=found["name"], code=found["code"],
                      hint=self._(SHAPE_HINTS[hint]) if hint in SHAPE_HINTS else hint)


def carriers() -> tuple[Carrier, ...]:
    return CARRIERS
