"""Buyers' personal data is kept only as long as the order needs it.

Once a shop order is over — every dispatch order of it (replacements too) has ended, completed
orders past the after-sales window by construction, cancelled ones once the window has passed
since they came in — and no after-sales case of it is open, the worker erases the buyer's name,
phone and street address. The region stays (reports by province still add up) and a keyed
SHA-256 of the whole receiver is kept, so repeat receivers can still be counted without
knowing who they are. Nothing else holds the buyer: timeline rows, webhook payloads and
recipient reveals never carried them, labels are drawn from the order when printed, and stored
replies of keyed requests are purged after a day.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import and_, exists, or_, select, update

from daifa.aftersales.models import AfterSaleCase
from daifa.aftersales.states import OPEN_STATUSES as OPEN_CASE_STATUSES
from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import TERMINAL_STATUSES
from daifa.kit.states import values
from daifa.orders.models import ShopOrder
from daifa.orders.states import OrderStatus

BATCH = 500


def receiver_hash(secret: str, order: ShopOrder) -> str:
    parts = (order.buyer_name.strip(), order.buyer_phone.strip(), order.province, order.city,
             order.district, order.address_detail.strip())
    return hmac.new(f"{secret}:receiver".encode(), "\x1f".join(parts).encode(),
                    hashlib.sha256).hexdigest()


def erase_due(ctx: Ctx) -> int:
    """Sweep: erase the buyers of the orders that are over; returns how many."""
    o = ShopOrder
    cutoff = ctx.now() - timedelta(days=ctx.settings.after_sales_window_days)
    still_moving = exists().where(DispatchOrder.order_pk == o.id,
                                  DispatchOrder.status.not_in(values(TERMINAL_STATUSES)))
    open_case = exists().where(AfterSaleCase.order_pk == o.id,
                               AfterSaleCase.status.in_(values(OPEN_CASE_STATUSES)))
    over = or_(o.status == OrderStatus.COMPLETED.value,
               and_(o.status == OrderStatus.CANCELLED.value, o.created_at < cutoff))
    due = ctx.session.scalars(
        select(o).where(o.erased_at.is_(None), over, ~still_moving, ~open_case)
        .order_by(o.id).limit(BATCH)).all()
    secret = ctx.settings.resolved_secret_key()
    now = ctx.now()
    for order in due:
        ctx.session.execute(
            update(o).where(o.id == order.id, o.erased_at.is_(None))
            .values(buyer_name="", buyer_phone="", address_detail="",
                    receiver_hash=receiver_hash(secret, order), erased_at=now)
            .execution_options(synchronize_session=False))
        audit.record(ctx, "shop_order", order.id, "shop_order.buyer_erased",
                     reason="after_sales_window_closed")
    for order in due:
        ctx.session.expire(order)
    return len(due)
