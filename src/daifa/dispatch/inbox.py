"""What the supplier's inbox pages need beyond a page of dispatch orders: how many wait in each
status, the names of the shops on a page, and one dispatch order seen as its supplier."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from daifa.context import Ctx
from daifa.dispatch import service
from daifa.dispatch.errors import DispatchOrderNotFound
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.schemas import DispatchOrderOut
from daifa.orders.models import ShopOrder
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier


def status_counts(ctx: Ctx, supplier: Supplier) -> dict[str, int]:
    """Dispatch orders of the supplier per status (one GROUP BY over its index)."""
    rows = ctx.session.execute(
        select(DispatchOrder.status, func.count())
        .where(DispatchOrder.supplier_pk == supplier.id).group_by(DispatchOrder.status))
    return {status: int(count) for status, count in rows}


def shop_names(ctx: Ctx, shop_ids: Iterable[str]) -> dict[str, str]:
    """Shop ID → shop name, for the shops named on a page."""
    wanted = sorted(set(shop_ids))
    if not wanted:
        return {}
    rows = ctx.session.execute(select(Shop.shop_id, Shop.name).where(Shop.shop_id.in_(wanted)))
    return {shop_id: name for shop_id, name in rows}


def for_supplier_one(ctx: Ctx, supplier: Supplier, no: str) -> tuple[DispatchOrderOut, Shop]:
    """One of the supplier's dispatch orders as its supplier sees it (recipient masked, no
    routing explanation, no sale prices) and its shop; 404 for any other number."""
    row = ctx.session.execute(
        select(DispatchOrder, Shop, ShopOrder)
        .join(Shop, Shop.id == DispatchOrder.shop_pk)
        .join(ShopOrder, ShopOrder.id == DispatchOrder.order_pk)
        .where(DispatchOrder.dispatch_order_no == no.strip().upper(),
               DispatchOrder.supplier_pk == supplier.id)).first()
    if row is None:
        raise DispatchOrderNotFound()
    order, shop, shop_order = row
    facts = service.OrderFacts(str(shop_order.id), shop.shop_id, shop_order.province,
                               shop_order.city, shop_order.district, shop_order.buyer_name,
                               shop_order.buyer_phone)
    numbers: dict[int, str] = {}
    if order.reassigned_from_pk is not None:
        numbers = dict(ctx.session.execute(
            select(DispatchOrder.id, DispatchOrder.dispatch_order_no)
            .where(DispatchOrder.id == order.reassigned_from_pk)).all())
    out = service.to_out(order, service.lines_of(ctx, [order.id])[order.id], facts,
                         supplier.supplier_id, for_shop=False, numbers=numbers)
    return out, shop
