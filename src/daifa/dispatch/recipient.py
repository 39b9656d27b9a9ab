"""The full recipient, need-to-know: only the dispatch order's supplier, only while it is
`accepted` or `partially_shipped`, each look recorded (who, when, why) and counted against a daily
limit per supplier (`recipient_reveals_per_day`, days in the display time zone). A label PDF
counts as a reveal with purpose `label`, one per dispatch order printed.

The daily count is a row per (supplier, day) moved by a conditional UPDATE
(`count + n <= limit`), so concurrent reveals never pass the limit on SQLite or PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from daifa.audit import service as audit
from daifa.catalog.models import SupplyProduct, SupplySku
from daifa.context import Ctx
from daifa.dispatch import access
from daifa.dispatch import service as dispatch
from daifa.dispatch.errors import DispatchOrderNotFound, RecipientNotAvailable, RevealLimitReached
from daifa.dispatch.labels import Label, LabelLine, render_labels
from daifa.dispatch.models import DispatchOrder, RecipientReveal, RecipientRevealDay
from daifa.dispatch.schemas import FullRecipient, RecipientAddress
from daifa.dispatch.states import RECIPIENT_VISIBLE_STATUSES
from daifa.orders import rules as order_rules
from daifa.orders.models import ShopOrder
from daifa.suppliers.models import Supplier

MAX_LABELS = 500


class Purpose(StrEnum):
    LABEL = "label"
    CONTACT = "contact"
    OTHER = "other"


def reveal(ctx: Ctx, no: str, purpose: Purpose) -> FullRecipient:
    target = access.for_supplier(ctx, no)
    _require_visible([target.order])
    buyer = ctx.session.get_one(ShopOrder, target.order.order_pk)
    _count(ctx, target.supplier.id, 1)
    at = _record(ctx, target.supplier, [target.order], purpose)
    return FullRecipient(
        dispatch_order_no=target.no, name=buyer.buyer_name,
        phone=order_rules.national(buyer.buyer_phone),
        address=RecipientAddress(province=buyer.province, city=buyer.city,
                                 district=buyer.district, detail=buyer.address_detail),
        region=order_rules.region(buyer.province, buyer.city, buyer.district),
        purpose=purpose.value, revealed_at=at)


def label(ctx: Ctx, no: str) -> bytes:
    """One packing slip / label (PDF) for the supplier of an accepted dispatch order."""
    target = access.for_supplier(ctx, no)
    return _labels(ctx, target.supplier, [target.order])


def labels(ctx: Ctx, supplier: Supplier, numbers: Sequence[str]) -> bytes:
    """Labels for many of the supplier's dispatch orders, in the order given, in one PDF.
    Unknown numbers and other suppliers' alike are 404, listed as not found."""
    wanted = list(dict.fromkeys(access.normalise_no(no) for no in numbers))
    found = {order.dispatch_order_no: order for order in ctx.session.scalars(
        select(DispatchOrder).where(DispatchOrder.dispatch_order_no.in_(wanted),
                                    DispatchOrder.supplier_pk == supplier.id))}
    missing = [no for no in wanted if no not in found]
    if missing:
        raise DispatchOrderNotFound(dispatch_order_nos=missing)
    return _labels(ctx, supplier, [found[no] for no in wanted])


def _labels(ctx: Ctx, supplier: Supplier, orders: Sequence[DispatchOrder]) -> bytes:
    _require_visible(orders)
    _count(ctx, supplier.id, len(orders))
    _record(ctx, supplier, orders, Purpose.LABEL)
    buyers = {row.id: row for row in ctx.session.scalars(
        select(ShopOrder).where(ShopOrder.id.in_({order.order_pk for order in orders})))}
    lines = dispatch.lines_of(ctx, [order.id for order in orders])
    titles = _titles(ctx, [line.supply_sku_pk for rows in lines.values() for line in rows])
    return render_labels([_label(order, buyers[order.order_pk], supplier, lines[order.id], titles)
                          for order in orders], zone=ctx.settings.display_timezone)


def _label(order: DispatchOrder, buyer: ShopOrder, supplier: Supplier,
           lines: Sequence[Any], titles: dict[int, str]) -> Label:
    address = " ".join(part for part in (buyer.province, buyer.city, buyer.district,
                                         buyer.address_detail) if part)
    return Label(dispatch_order_no=order.dispatch_order_no, recipient_name=buyer.buyer_name,
                 recipient_phone=order_rules.national(buyer.buyer_phone),
                 recipient_address=address, sender_region=supplier.region,
                 lines=[LabelLine(line.supplier_sku_code, line.quantity - line.shipped_quantity,
                                  titles.get(line.supply_sku_pk, ""))
                        for line in lines if line.quantity > line.shipped_quantity],
                 ship_by=order.ship_by)


def _titles(ctx: Ctx, sku_pks: Sequence[int]) -> dict[int, str]:
    if not sku_pks:
        return {}
    return dict(ctx.session.execute(
        select(SupplySku.id, SupplyProduct.title)
        .join(SupplyProduct, SupplyProduct.id == SupplySku.product_pk)
        .where(SupplySku.id.in_(set(sku_pks)))).all())


def _require_visible(orders: Sequence[DispatchOrder]) -> None:
    hidden = [order for order in orders if order.status not in RECIPIENT_VISIBLE_STATUSES]
    if hidden:
        raise RecipientNotAvailable(
            current_status=hidden[0].status,
            dispatch_orders=[{"dispatch_order_no": o.dispatch_order_no, "status": o.status}
                             for o in hidden])


def _record(ctx: Ctx, supplier: Supplier, orders: Sequence[DispatchOrder],
            purpose: Purpose) -> datetime:
    now, label_ = ctx.now(), audit.actor_label(ctx)
    ctx.session.execute(insert(RecipientReveal), [
        {"dispatch_order_pk": order.id, "supplier_pk": supplier.id, "actor": label_,
         "actor_account_id": ctx.actor.account_id, "purpose": purpose.value, "at": now}
        for order in orders])
    for order in orders:  # the shop sees on the timeline that (and why) the buyer was seen
        audit.record(ctx, "dispatch_order", order.dispatch_order_no,
                     "dispatch_order.recipient_revealed", from_status=order.status,
                     to_status=order.status, reason=purpose.value)
    return now


# --- the daily limit ------------------------------------------------------------------------

def _today(ctx: Ctx) -> tuple[datetime, datetime]:
    """The start of today and of tomorrow in the display time zone."""
    zone = ZoneInfo(ctx.settings.display_timezone)
    local = ctx.now().astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def _count(ctx: Ctx, supplier_pk: int, n: int) -> None:
    """Count `n` reveals for today, or RevealLimitReached (429) with the seconds until
    tomorrow."""
    limit = ctx.settings.recipient_reveals_per_day
    start, tomorrow = _today(ctx)
    day = start.date()
    if _add(ctx, supplier_pk, day, n, limit):
        return
    retry = max(1, int((tomorrow - ctx.now()).total_seconds()) + 1)
    raise RevealLimitReached(retry_after=retry, limit=limit, until=tomorrow.date().isoformat())


def _add(ctx: Ctx, supplier_pk: int, day: date, n: int, limit: int) -> bool:
    row = RecipientRevealDay
    for _ in range(2):
        moved = ctx.session.execute(
            update(row).where(row.supplier_pk == supplier_pk, row.day == day,
                              row.count + n <= limit)
            .values(count=row.count + n).execution_options(synchronize_session=False))
        if moved.rowcount == 1:  # type: ignore[attr-defined]
            return True
        if n > limit or ctx.session.get(row, (supplier_pk, day)) is not None:
            return False
        try:
            with ctx.session.begin_nested():
                ctx.session.execute(insert(row).values(supplier_pk=supplier_pk, day=day,
                                                       count=n))
            return True
        except IntegrityError:  # another reveal made today's row meanwhile: count on it
            continue
    return False

