"""The shop corrects its order's recipient (name, phone, address) before anything leaves.

Checked like an order coming in (the same schema: the phone normalised to E.164, the same
lengths). Refused once anything of the order has left (409 `ALREADY_SHIPPED`); a shipment
racing the change is ordered against it by a conditional UPDATE of each dispatch order
(dispatch.service.still_unsent): either the parcel left first and the change is refused, or
the shipment waits for the change and comes after it, never both at once. Each dispatch
order still holding units is told (its timeline and the `dispatch_order.recipient_changed`
webhook, which carries what changed and the region, never the buyer's details), and an
`address_problem` hold on it is released. The shop order's timeline records old → new, masked
as a supplier would see them: the record never holds the full name, phone or address.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import access, holds
from daifa.dispatch import service as dispatch
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import RELEASED_STATUSES, SENT_STATUSES, DispatchStatus
from daifa.errors import ValidationFailed
from daifa.fulfilment.rules import recipient_may_change
from daifa.fulfilment.schemas import OrderOut
from daifa.orders import rules as order_rules
from daifa.orders import service as orders
from daifa.orders.errors import AlreadyShipped
from daifa.orders.models import ShopOrder
from daifa.orders.schemas import RecipientIn
from daifa.shops.models import Shop

_FIELDS = ("name", "phone", "address")


def correct(ctx: Ctx, shop: Shop, order_id: str, data: RecipientIn) -> ShopOrder:
    """Change what `data` gives; returns the order as it now stands."""
    if data.name is None and data.phone is None and data.address is None:
        raise ValidationFailed(fields=", ".join(_FIELDS))
    order = orders.owned(ctx, shop, order_id)
    dispatched = list(ctx.session.scalars(
        select(DispatchOrder).where(DispatchOrder.order_pk == order.id)
        .order_by(DispatchOrder.id)))
    _refuse_once_sent(ctx, dispatched)
    before = _masked(order)
    new = _values(order, data)
    changed = [name for name in _FIELDS if any(
        getattr(order, column) != value for column, value in new.get(name, {}).items())]
    if not changed:
        return order
    # Each dispatch order's row before the order's (the order shipping takes them in): a
    # shipment that got there first refuses the change, a later one waits for it.
    for one in dispatched:
        if not dispatch.still_unsent(ctx, one):
            ctx.session.refresh(one)
            _refuse_once_sent(ctx, [one])
    for values in new.values():
        for column, value in values.items():
            setattr(order, column, value)
    ctx.session.flush()
    after = _masked(order)
    audit.record(ctx, "shop_order", order.id, "shop_order.recipient_changed",
                 data={"changed": {name: {"from": before[name], "to": after[name]}
                                   for name in changed}})
    region = order_rules.region(order.province, order.city, order.district)
    for one in dispatched:
        if DispatchStatus(one.status) not in RELEASED_STATUSES:
            holds.recipient_changed(ctx, access.for_shop(ctx, one.dispatch_order_no), changed,
                                    region)
    return order


def may_correct(order: OrderOut) -> bool:
    """Whether the recipient may still be corrected (the console offers the form)."""
    return recipient_may_change(one.status for one in order.dispatch_orders)


def _refuse_once_sent(ctx: Ctx, dispatched: list[DispatchOrder]) -> None:
    if recipient_may_change(one.status for one in dispatched):
        return
    sent = [one for one in dispatched if DispatchStatus(one.status) in SENT_STATUSES]
    if sent:
        lines = dispatch.lines_of(ctx, [sent[0].id])[sent[0].id]
        shipped = [line.line_pk for line in lines if line.shipped_quantity] or \
            [line.line_pk for line in lines]
        raise AlreadyShipped(line_id=min(shipped), dispatch_order_no=sent[0].dispatch_order_no)


def _values(order: ShopOrder, data: RecipientIn) -> dict[str, dict[str, Any]]:
    """The columns each given field sets."""
    new: dict[str, dict[str, Any]] = {}
    if data.name is not None:
        new["name"] = {"buyer_name": data.name}
    if data.phone is not None:
        new["phone"] = {"buyer_phone": data.phone}
    if data.address is not None:
        address = data.address
        new["address"] = {"province": address.province, "city": address.city,
                          "district": address.district, "address_detail": address.detail}
    return new


def _masked(order: ShopOrder) -> dict[str, str]:
    """The recipient as the record keeps it: masked name and phone, the region and the first
    character of the street address."""
    detail = order.address_detail.strip()
    return {"name": order_rules.masked_name(order.buyer_name),
            "phone": order_rules.masked_phone(order.buyer_phone),
            "address": " ".join(filter(None, [
                order_rules.region(order.province, order.city, order.district),
                f"{detail[:1]}***" if detail else ""]))}
