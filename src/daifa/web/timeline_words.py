"""What an order's timeline says, in the reader's language: who (a role, never a login) did
what, in words ("供货商 接单", "已签收"), with the details that matter under it.

The entries come from `fulfilment.timeline` (docs/api.md, "The order timeline"); a type with no
words here (a new source) shows its code and its status move, so nothing is ever hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from daifa.shipping.carriers import BY_CODE
from daifa.web.aftersales_words import CaseWords
from daifa.web.messages import N_
from daifa.web.shipping_words import ShippingWords
from daifa.web.words import Words

Gettext = Callable[..., str]

ROLES = {
    "merchant": N_("Merchant"),
    "supplier": N_("Supplier"),
    "platform": N_("Platform"),
    "system": N_("System"),
}
EVENTS = {
    "shop_order.received": N_("Order received"),
    "shop_order.assign": N_("Every unit is with a supplier"),
    "shop_order.assign_partially": N_("Some units are with suppliers, the rest wait"),
    "shop_order.assigned_more": N_("More units assigned"),
    "shop_order.release": N_("The units came back to the shop and wait for assignment"),
    "shop_order.release_partially": N_("Some units came back to the shop"),
    "shop_order.ship_partially": N_("Order partly shipped"),
    "shop_order.ship": N_("Order shipped"),
    "shop_order.deliver": N_("Order delivered"),
    "shop_order.complete": N_("Order completed"),
    "shop_order.rerouted": N_("Passed on to the backup supplier"),
    "shop_order.buyer_erased": N_("The buyer's personal data was erased"),
    "dispatch_order.created": N_("Dispatch order sent to %(supplier)s"),
    "dispatch_order.accept": N_("Accepted"),
    "dispatch_order.reject": N_("Rejected"),
    "dispatch_order.expire": N_("Not accepted in time"),
    "dispatch_order.ship_partially": N_("Shipped part of it"),
    "dispatch_order.ship_fully": N_("Shipped everything"),
    "dispatch_order.deliver": N_("Delivered"),
    "dispatch_order.complete": N_("Completed"),
    "dispatch_order.cancel": N_("Cancelled"),
    "dispatch_order.reassign": N_("Reassigned to another supplier"),
    "dispatch_order.request_cancel": N_("Asked the supplier to cancel"),
    "dispatch_order.accept_cancel": N_("Agreed to cancel"),
    "dispatch_order.refuse_cancel": N_("Refused to cancel"),
    "dispatch_order.hold": N_("Put on hold"),
    "dispatch_order.release_hold": N_("Released the hold"),
    "dispatch_order.late": N_("Not shipped by the deadline"),
    "dispatch_order.tracking_corrected": N_("Corrected a tracking number"),
    "dispatch_order.recipient_revealed": N_("Viewed the recipient"),
    "shipment.scan": N_("Parcel %(tracking)s: %(status)s"),
}
AFTER_SALE = "after_sale."
_REJECTS = frozenset({"dispatch_order.reject", "dispatch_order.expire"})
_HOLDS = frozenset({"dispatch_order.hold", "dispatch_order.release_hold"})


class TimelineWords:
    """Sentences for one request's language; `names`: Supplier ID → name (the shop's view)."""

    def __init__(self, gettext: Gettext, locale: str,
                 names: Mapping[str, str] | None = None) -> None:
        self._ = gettext
        self.locale = locale
        self.words = Words(gettext, names)
        self.shipping = ShippingWords(gettext)
        self.cases = CaseWords(gettext)

    def role(self, role: str) -> str:
        return self._(ROLES[role]) if role in ROLES else role

    def sentence(self, entry: Any) -> str:
        """What happened, e.g. "Accepted" / "接单"; unknown types show their code."""
        if entry.type.startswith(AFTER_SALE):
            return self._("After-sales %(case_no)s: %(what)s", case_no=entry.object.id,
                          what=self.cases.event(entry.type))
        template = EVENTS.get(entry.type)
        if template is None:
            move = ""
            if entry.from_status or entry.to_status:
                move = f" {entry.from_status or '∅'} → {entry.to_status or '∅'}"
            return f"{entry.type}{move}"
        data = entry.data
        if entry.type == "shipment.scan":
            return self._(template, tracking=self.parcel(data), status=self.shipping.tracking(
                entry.to_status))
        if entry.type == "dispatch_order.created":
            return self._(template, supplier=self.words.supplier(str(data.get("supplier_id", ""))))
        return self._(template)

    def parcel(self, data: Mapping[str, Any]) -> str:
        carrier = BY_CODE.get(str(data.get("carrier", "")))
        name = (carrier.name if self.locale == "zh_CN" else carrier.name_en) if carrier else (
            str(data.get("carrier", "")))
        return f"{name} {data.get('tracking_no', '')}".strip()

    def details(self, entry: Any) -> list[str]:
        """The lines under the sentence: why, which parcel, where the units went."""
        out = self._why(entry) + self._parcels(entry)
        if entry.data.get("note"):
            out.append(str(entry.data["note"]))
        return [line for line in out if line]

    def _why(self, entry: Any) -> list[str]:
        data = entry.data
        if entry.type.startswith(AFTER_SALE):
            return [self.cases.event_reason(entry)]
        if entry.type in _REJECTS:
            return [self.shipping.reject_reason(entry.reason)]
        if entry.type in _HOLDS:
            return [self.shipping.hold_reason(entry.reason)]
        if entry.type == "dispatch_order.recipient_revealed":
            purposes = data.get("purposes") or [entry.reason]
            out = [", ".join(self.shipping.purpose(p) for p in purposes if p)]
            if data.get("count", 1) > 1:
                out.append(self._("%(count)s times that day", count=data["count"]))
            return out
        if entry.type == "shipment.scan":
            return [str(data.get("description") or "")]
        if entry.type == "dispatch_order.created":
            return self._routed(data)
        if entry.type == "dispatch_order.tracking_corrected":
            return [f"{self.parcel(data.get('old') or {})} → {self.parcel(data.get('new') or {})}",
                    str(entry.reason or "")]
        return [str(entry.reason)] if entry.reason else []

    def _routed(self, data: Mapping[str, Any]) -> list[str]:
        """Per line: the SKU, the units and why they went to this supplier; only where the
        reader may see the routing (the shop's views explain it; a supplier's do not)."""
        out = []
        for line in data.get("lines", []):
            if "routing" not in line:
                continue
            why = self.words.assignment(str(line.get("reason", "")), line.get("routing"))
            sku = line.get("sku_code", line.get("line_id", ""))
            out.append(f"{sku} × {line.get('quantity', '')}: {why}")
        return out

    def _parcels(self, entry: Any) -> list[str]:
        if not entry.type.startswith("dispatch_order.ship"):
            return []
        parcels = entry.data.get("shipments") or [entry.data]
        return [self._("Parcel %(parcel)s", parcel=self.parcel(p)) for p in parcels
                if p.get("tracking_no")]
