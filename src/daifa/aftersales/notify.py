"""After-sales webhook events (``after_sale.<what happened>``) to the shop and the supplier,
through the outbox in the caller's transaction. Payloads name the case, its status, type,
reason and units; never the buyer, nor what the buyer paid."""

from __future__ import annotations

from typing import Any

from daifa.aftersales.access import CaseTarget
from daifa.aftersales.events import CaseMoved, CasesOpened
from daifa.context import Ctx
from daifa.webhooks import service as webhooks
from daifa.webhooks.service import Emission

# The table's action → the event type's last word.
EVENT_OF_ACTION = {
    "approve_refund": "approved", "approve_return": "approved", "approve_reship": "approved",
    "reject": "rejected", "refer": "escalated", "send_return": "return_sent",
    "receive": "return_received", "refund": "closed", "replace": "replacement_sent",
    "finish": "closed", "lapse": "closed", "escalate": "escalated",
    "accept_rejection": "closed", "decide": "decided", "cancel": "cancelled",
}


def payload(target: CaseTarget, action: str, previous: str | None,
            reason: str | None) -> dict[str, Any]:
    case = target.case
    return {"case_no": target.no, "type": case.type, "status": case.status,
            "previous_status": previous, "action": action, "reason": reason,
            "shop_id": target.shop.shop_id, "supplier_id": target.supplier.supplier_id,
            "order_id": str(case.order_pk), "liability": case.liability,
            "final_refund_fen": case.final_refund_fen, "auto": case.auto_approved}


def on_opened(ctx: Ctx, event: CasesOpened) -> None:
    webhooks.emit_many(ctx, [
        Emission("after_sale.opened", payload(target, "open", None, target.case.reason),
                 target.shop.id, target.supplier.id)
        for target in event.targets])


def on_moved(ctx: Ctx, event: CaseMoved) -> None:
    target = event.target
    webhooks.emit(ctx, shop_pk=target.shop.id, supplier_pk=target.supplier.id,
                  event_type=f"after_sale.{EVENT_OF_ACTION.get(event.action, event.action)}",
                  payload=payload(target, event.action, event.previous, event.reason))
