"""Dispatch-order events for webhooks (``dispatch_order.<what happened>``), written through the
webhooks outbox in the caller's transaction.

Payloads are supplier-safe: numbers, statuses, reasons, SKU codes and quantities, the region.
Never a sale price nor the buyer's name, phone or address; where the shop may learn more than the
supplier (which backup took a rejected order), the shop gets its own event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from daifa.context import Ctx
from daifa.webhooks import service as webhooks
from daifa.webhooks.service import Emission

# The table's action → the event type's last word.
EVENT_OF_ACTION = {
    "accept": "accepted",
    "reject": "rejected",
    "expire": "expired",
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


def emit_many(ctx: Ctx, items: Sequence[tuple[int | None, int | None, str, dict[str, Any]]]
              ) -> None:
    """(shop_pk, supplier_pk, what, data) each; one lookup of endpoints for all of them."""
    if items:
        webhooks.emit_many(ctx, [Emission(event_type(what), data, shop_pk, supplier_pk)
                                 for shop_pk, supplier_pk, what, data in items])
