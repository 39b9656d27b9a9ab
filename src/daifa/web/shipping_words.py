"""What the fulfilment pages say about codes: reject and hold reasons, tracking statuses, carrier
shape warnings and the shipping file's row errors, in the reader's language.

Warnings carry a code and params and are rendered from the message catalog. The shipping file's
row reasons still arrive as English sentences: the known ones become message ids of the console's
catalogs, anything else is shown as it came. Codes and enum values stay as they are, next to the
words.
"""

from __future__ import annotations

import re
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
ROW_STATUSES = {
    "ready": N_("ready"),
    "shipped": N_("shipped"),
    "already_shipped": N_("already shipped"),
    "error": N_("error"),
}
COLUMNS = {
    "dispatch_order_no": N_("dispatch_order_no"),
    "carrier": N_("carrier"),
    "tracking_no": N_("tracking_no"),
    "sku_code": N_("sku_code"),
    "quantity": N_("quantity"),
}
# The shipping file's English reasons (shipping.sheets and shipping.upload).
ROW_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"This column must not be empty"), N_("must not be empty")),
    (re.compile(r"Excel stored this ID as a number and may have rounded it.*"),
     N_("Excel stored this ID as a number and may have rounded it: format the column as text "
        "(文本) and enter the ID again")),
    (re.compile(r"Expected text, found a date, time or TRUE/FALSE"),
     N_("expected text, found a date, time or TRUE/FALSE")),
    (re.compile(r"A dispatch order number is up to 64 letters, digits, '-' or '_'"),
     N_("a dispatch order number is up to 64 letters, digits, - or _")),
    (re.compile(r"Unknown carrier '(?P<text>.*)'; use one of: .*"),
     N_("unknown carrier “%(text)s”; use a code or name from the carrier list")),
    (re.compile(r"Tracking number '(?P<text>.*)' must be 6-40 letters, digits or '-'"),
     N_("tracking number “%(text)s” must be 6-40 letters, digits or -")),
    (re.compile(r"A SKU code is at most (?P<n>\d+) characters"),
     N_("a SKU code is at most %(n)s characters")),
    (re.compile(r"The quantity must be a whole number from 1 to (?P<n>\d+)"),
     N_("the quantity must be a whole number from 1 to %(n)s")),
    (re.compile(r"A SKU code is needed with a quantity"), N_("a SKU code goes with a quantity")),
    (re.compile(r"A quantity is needed with a SKU code"), N_("a quantity goes with a SKU code")),
    (re.compile(r"Repeats row (?P<row>\d+)"), N_("repeats row %(row)s")),
    (re.compile(r"Row (?P<row>\d+) already uses this tracking number for dispatch order "
                r"(?P<no>\S+)"),
     N_("row %(row)s already uses this tracking number for dispatch order %(no)s")),
    (re.compile(r"No dispatch order of yours has this number"),
     N_("no dispatch order of yours has this number")),
    (re.compile(r"This tracking number is already used by another dispatch order"),
     N_("this tracking number is already used by another dispatch order")),
    (re.compile(r"Dispatch order (?P<no>\S+) has no SKU (?P<sku>.+)"),
     N_("dispatch order %(no)s has no SKU %(sku)s")),
    (re.compile(r"Dispatch order (?P<no>\S+) is (?P<status>\w+); it ships once accepted"),
     N_("dispatch order %(no)s is %(status)s; it ships once accepted")),
    (re.compile(r"Dispatch order (?P<no>\S+) is on hold \((?P<reason>\w+)\)"),
     N_("dispatch order %(no)s is on hold (%(reason)s)")),
    (re.compile(r"Nothing of dispatch order (?P<no>\S+) is left to ship"),
     N_("nothing of dispatch order %(no)s is left to ship")),
    (re.compile(r"Only (?P<n>\d+) unit\(s\) of (?P<sku>.+) left to ship"),
     N_("only %(n)s units of %(sku)s are left to ship")),
]


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

    def row_status(self, code: str) -> str:
        return self._known(ROW_STATUSES, code)

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

    def column(self, name: str | None) -> str:
        return self._known(COLUMNS, name)

    def reason(self, text: str) -> str:
        for pattern, message in ROW_REASONS:
            found = pattern.fullmatch(text)
            if found:
                return self._(message, **found.groupdict())
        return text

    def cell_error(self, column: str | None, reason: str) -> str:
        """column: reason, beside its row in the preview table."""
        if not column:
            return self.reason(reason)
        return self._("%(column)s: %(reason)s", column=self.column(column),
                      reason=self.reason(reason))

    def row_error(self, row: int, column: str | None, reason: str) -> str:
        """第N行：column，reason / Row N: column, reason (without a column for the whole row)."""
        if not column:
            return self._("Row %(row)s: %(reason)s", row=row, reason=self.reason(reason))
        return self._("Row %(row)s: %(column)s, %(reason)s", row=row, column=self.column(column),
                      reason=self.reason(reason))


def carriers() -> tuple[Carrier, ...]:
    return CARRIERS
