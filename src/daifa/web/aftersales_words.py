"""What the after-sales pages say about codes: case statuses, types, reasons, conditions,
liabilities, who acted and what happened, in the reader's language. Codes stay as they are in
data attributes; people read the words."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from daifa.web.messages import N_

Gettext = Callable[..., str]

STATUSES = {
    "requested": N_("Awaiting the supplier"),
    "approved": N_("Replacement on its way"),
    "rejected": N_("Rejected by the supplier"),
    "awaiting_return": N_("Awaiting the return"),
    "return_received": N_("Return received, in dispute"),
    "in_arbitration": N_("With the platform"),
    "closed": N_("Closed"),
    "cancelled": N_("Withdrawn"),
}
TYPES = {
    "refund_only": N_("Refund only"),
    "return_and_refund": N_("Return and refund"),
    "reship": N_("Reship"),
    "exchange": N_("Exchange"),
}
REASONS = {
    "damaged": N_("Damaged"),
    "wrong_item": N_("Wrong item"),
    "missing_item": N_("Missing item"),
    "not_as_described": N_("Not as described"),
    "quality": N_("Quality problem"),
    "not_received": N_("Not received"),
    "changed_mind": N_("Buyer changed their mind"),
    "other": N_("Other reason"),
}
REJECT_REASONS = {
    "no_evidence": N_("No evidence"),
    "used_or_damaged_by_buyer": N_("Used or damaged by the buyer"),
    "outside_policy": N_("Outside the after-sales policy"),
    "other": N_("Other reason"),
}
CONDITIONS = {
    "as_expected": N_("As expected"),
    "damaged": N_("Damaged"),
    "missing_items": N_("Items missing"),
    "wrong_item": N_("Wrong item sent back"),
}
LIABILITIES = {
    "supplier": N_("Supplier"),
    "merchant": N_("Merchant"),
    "carrier": N_("Carrier"),
    "buyer": N_("Buyer"),
    "platform": N_("Platform"),
}
ROLES = {
    "merchant": N_("Merchant"),
    "supplier": N_("Supplier"),
    "platform": N_("Platform"),
    "system": N_("Automatic"),
}
EVENTS = {
    "after_sale.opened": N_("Case opened"),
    "after_sale.approve_refund": N_("Refund approved"),
    "after_sale.approve_return": N_("Return approved"),
    "after_sale.approve_reship": N_("Reship approved"),
    "after_sale.reject": N_("Rejected"),
    "after_sale.refer": N_("Referred to the platform: no return address"),
    "after_sale.send_return": N_("Return parcel sent"),
    "after_sale.receive": N_("Return received"),
    "after_sale.refund": N_("Refunded"),
    "after_sale.replace": N_("Replacement sent"),
    "after_sale.finish": N_("Replacement shipped; case closed"),
    "after_sale.lapse": N_("Return not sent in time; case closed"),
    "after_sale.escalate": N_("Escalated to the platform"),
    "after_sale.accept_rejection": N_("Rejection not contested; case closed"),
    "after_sale.decide": N_("Platform decision"),
    "after_sale.cancel": N_("Withdrawn by the shop"),
    "after_sale.evidence_added": N_("Evidence added"),
}
ACTIONS = {
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "return-shipment": N_("Enter the return parcel"),
    "receive": N_("Confirm receipt"),
    "escalate": N_("Escalate to the platform"),
    "decide": N_("Decide"),
    "cancel": N_("Withdraw"),
}
SUPPLIER_TABS = {
    "to_answer": N_("To answer"),
    "awaiting_return": N_("Awaiting return"),
    "to_inspect": N_("To inspect"),
    "in_dispute": N_("In dispute"),
    "all": N_("All"),
}


class CaseWords:
    """The words of one request's language for the codes a case carries."""

    def __init__(self, gettext: Gettext) -> None:
        self._ = gettext

    def _say(self, table: Mapping[str, str], code: Any) -> str:
        text = table.get(str(code))
        return self._(text) if text else str(code)

    def status(self, code: Any) -> str:
        return self._say(STATUSES, code)

    def type(self, code: Any) -> str:
        return self._say(TYPES, code)

    def reason(self, code: Any) -> str:
        return self._say(REASONS, code)

    def reject_reason(self, code: Any) -> str:
        return self._say(REJECT_REASONS, code)

    def condition(self, code: Any) -> str:
        return self._say(CONDITIONS, code)

    def liability(self, code: Any) -> str:
        return self._say(LIABILITIES, code)

    def role(self, code: Any) -> str:
        return self._say(ROLES, code)

    def event(self, code: Any) -> str:
        return self._say(EVENTS, code)

    def action(self, code: Any) -> str:
        return self._say(ACTIONS, code)

    def tab(self, code: Any) -> str:
        return self._say(SUPPLIER_TABS, code)

    def event_reason(self, entry: Any) -> str:
        """An entry's reason in words where it is a code of ours, else as written."""
        reason = entry.reason
        if not reason:
            return ""
        for table in (REASONS, REJECT_REASONS, CONDITIONS):
            if reason in table:
                return self._(table[reason])
        return str(reason)
