"""A dispatch order as its shop or its supplier sees it, with its parcels: one, or the
supplier's inbox by page. Parcels are shipping's, so the whole picture is put together here."""

from __future__ import annotations

from sqlalchemy import select

from daifa.context import Ctx
from daifa.dispatch.errors import DispatchOrderNotFound
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.schemas import DispatchOrderOut
from daifa.dispatch.service import facts, lines_of, located, to_out, viewer
from daifa.dispatch.states import DispatchStatus
from daifa.kit.pagination import Page
from daifa.orders.models import ShopOrder
from daifa.shipping import parcels
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier


def visible(ctx: Ctx, no: str) -> DispatchOrderOut:
    """The dispatch order for its shop or its supplier; 404 for anyone else."""
    found = located(ctx, no)
    seen_as = viewer(ctx, found[1], found[2]) if found else None
    if found is None or seen_as not in ("shop", "supplier"):
        raise DispatchOrderNotFound()
    order, shop, supplier, shop_order = found
    numbers = dict(ctx.session.execute(
        select(DispatchOrder.id, DispatchOrder.dispatch_order_no)
        .where(DispatchOrder.id == order.reassigned_from_pk)).all()) if \
        order.reassigned_from_pk else {}
    return to_out(order, lines_of(ctx, [order.id])[order.id], facts(shop, shop_order),
                  supplier.supplier_id, for_shop=seen_as == "shop", numbers=numbers,
                  shipments=parcels.of(ctx.session, [order.id])[order.id])


def for_supplier(ctx: Ctx, supplier: Supplier, status: DispatchStatus | None,
                 before: int | None, limit: int) -> Page[DispatchOrderOut]:
    """The supplier's inbox across all its shops, newest first; recipient masked."""
    query = (select(DispatchOrder, Shop, ShopOrder)
             .join(Shop, Shop.id == DispatchOrder.shop_pk)
             .join(ShopOrder, ShopOrder.id == DispatchOrder.order_pk)
             .where(DispatchOrder.supplier_pk == supplier.id))
    if status is not None:
        query = query.where(DispatchOrder.status == status.value)
    if before is not None:
        query = query.where(DispatchOrder.id < before)
    rows = ctx.session.execute(query.order_by(DispatchOrder.id.desc()).limit(limit)).all()
    lines = lines_of(ctx, [order.id for order, _, _ in rows])
    sent = parcels.of(ctx.session, [order.id for order, _, _ in rows])
    return Page.of([(order.id, to_out(order, lines[order.id], facts(shop, shop_order),
                                      supplier.supplier_id, for_shop=False,
                                      shipments=sent[order.id]))
                    for order, shop, shop_order in rows], limit)
