"""Dispatch-order events for webhooks (``dispatch_order.<what happened>``), written through the
webhooks outbox in the caller's transaction: the reactions that announce new, auto-accepted and
moved dispatch orders.

Payloads are supplier-safe: numbers, statuses, reasons, SKU codes and quantities, the region.
Never a sale price nor the buyer's name, phone or address; where the shop may learn more than the
supplier (which backup took a rejected order), the shop gets its own event.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from daifa.context import Ctx
from daifa.dispatch.autoaccept import AutoAccepted
from daifa.dispatch.creation import DispatchOrdersCreated, NewDispatch
from daifa.dispatch.events import DispatchOrderMoved
from daifa.dispatch.states import DispatchStatus
from daifa.shops.models import Shop
from daifa.webhooks import service as webhooks
from daifa.webhooks.service import Emission

# The table's action → the event type's last word.
EVENT_OF_ACTION = {
    "accept": "accepted",
    "reject": "rejected",
    "expire": "expired",
    "withdraw": "withdrawn",
    "ship_partially": "partially_shipped",
    "ship_fully": "shipped",
    "deliver": "delivered",
    "complete": "completed",
    "cancel": "cancelled",
    "reassign": "reassigned",
    "request_cancel": "cancel_requested",
    "accept_cancel": "cancelled",
    "refuse_cancel": "cancel_refused",
}


def event_type(what: str) -> str:
    return f"dispatch_order.{EVENT_OF_ACTION.get(what, what)}"


def payload(*, no: str, order_pk: int, shop_id: str, supplier_id: str, status: str,
            previous_status: str | None, action: str, at: datetime,
            reason: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "dispatch_order_no": no, "order_id": str(order_pk), "shop_id": shop_id,
        "supplier_id": supplier_id, "status": status, "previous_status": previous_status,
        "action": action, "reason": reason, "at": at,
    }
    body.update(extra)
    return body


def emit(ctx: Ctx, *, shop_pk: int | None, supplier_pk: int | None, what: str,
         data: dict[str, Any]) -> None:
    webhooks.emit(ctx, shop_pk=shop_pk, supplier_pk=supplier_pk, event_type=event_type(what),
                  payload=data)


Item = tuple[int | None, int | None, str, dict[str, Any]]
# Above this many events, first ask whether anybody listens at all: checking every payload
# costs more than the question when nobody does (a big spreadsheet upload).
ASK_FIRST = 50


def emit_many(ctx: Ctx, items: Sequence[Item]) -> None:
    """(shop_pk, supplier_pk, what, data) each; one lookup of endpoints for all of them."""
    if not items:
        return
    if len(items) > ASK_FIRST and not listening(
            ctx, {shop for shop, _, _, _ in items if shop is not None},
            {supplier for _, supplier, _, _ in items if supplier is not None}):
        return
    webhooks.emit_many(ctx, [Emission(event_type(what), data, shop_pk, supplier_pk)
                             for shop_pk, supplier_pk, what, data in items])


def listening(ctx: Ctx, shop_pks: Collection[int], supplier_pks: Collection[int]) -> bool:
    """Whether any enabled webhook endpoint belongs to these shops or suppliers (asked once per
    unit of work: the emission that follows finds the answer there)."""
    return bool(webhooks.listeners(ctx, shop_pks, supplier_pks))


_SHOP_IDS = select(Shop.id, Shop.shop_id).where(Shop.id.in_(bindparam("pks", expanding=True)))


def on_created(ctx: Ctx, event: DispatchOrdersCreated) -> None:
    """`dispatch_order.created` to both sides of every new dispatch order."""
    items = event.items
    if event.known is None:
        shop_ids = dict(ctx.session.execute(
            _SHOP_IDS, {"pks": sorted({i.shop_pk for i in items})}).all())
    else:
        shop_ids = dict(event.known.shop_ids)
    for item in items:
        item.row.setdefault("shop_id", shop_ids.get(item.shop_pk, ""))
    emit_many(ctx, [(item.shop_pk, item.supplier_pk, "created",
                     _created(ctx, item, event.supplier_ids)) for item in items])


def on_auto_accepted(ctx: Ctx, event: AutoAccepted) -> None:
    emit_many(ctx, [(item.shop_pk, item.supplier_pk, "accept",
                     _data(ctx, item, event.supplier_ids, "accept",
                           DispatchStatus.ASSIGNED.value)) for item in event.items])


def _data(ctx: Ctx, item: NewDispatch, supplier_ids: Mapping[int, str], action: str,
          previous: str | None, **extra: Any) -> dict[str, Any]:
    return payload(no=item.no, order_pk=item.order_pk, shop_id=str(item.row.get("shop_id", "")),
                   supplier_id=supplier_ids.get(item.supplier_pk, ""),
                   status=item.row["status"], previous_status=previous, action=action,
                   at=ctx.now(), **extra)


def _created(ctx: Ctx, item: NewDispatch, supplier_ids: Mapping[int, str]) -> dict[str, Any]:
    return _data(ctx, item, supplier_ids, "create", None, ship_by=item.ship_by,
                 lines=[{"line_id": row["line_pk"], "sku_code": row["sku_code"],
                         "supplier_sku_code": row["supplier_sku_code"],
                         "quantity": row["quantity"], "reason": row["reason"]}
                        for row in item.line_rows])


def on_moved(ctx: Ctx, event: DispatchOrderMoved) -> None:
    """The webhook event for both sides; `shop_extra` only to the shop (its own event)."""
    target = event.target
    order = target.order
    data = payload(no=order.dispatch_order_no, order_pk=order.order_pk,
                   shop_id=target.shop.shop_id, supplier_id=target.supplier.supplier_id,
                   status=order.status, previous_status=event.previous, action=event.action,
                   at=ctx.now(), reason=event.reason, hold_reason=order.hold_reason,
                   late=bool(order.late), **event.extra)
    what = event.action
    if event.shop_extra is None:
        emit(ctx, shop_pk=order.shop_pk, supplier_pk=order.supplier_pk, what=what, data=data)
        return
    emit(ctx, shop_pk=None, supplier_pk=order.supplier_pk, what=what, data=data)
    emit(ctx, shop_pk=order.shop_pk, supplier_pk=None, what=what,
         data={**data, **event.shop_extra})
