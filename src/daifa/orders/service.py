"""Shop orders: find one for its shop, by Order ID; the shop's commands' target."""

from __future__ import annotations

from sqlalchemy import select

from daifa.context import Ctx, Scope
from daifa.kit import ids
from daifa.orders.errors import OrderNotFound
from daifa.orders.models import ShopOrder
from daifa.shops import service as shops
from daifa.shops.errors import ShopNotFound
from daifa.shops.models import Shop


def parse_order_id(order_id: str) -> int | None:
    text = order_id.strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


def shop_for(ctx: Ctx, shop_id: str) -> Shop:
    """The shop a command works on: the CLI (system) may name any shop, others their own."""
    if ctx.actor.scope is not Scope.SYSTEM:
        return shops.owned(ctx, shop_id)
    shop = ctx.session.scalar(select(Shop).where(Shop.shop_id == ids.normalise(shop_id)))
    if shop is None:
        raise ShopNotFound()
    return shop


def owned(ctx: Ctx, shop: Shop, order_id: str) -> ShopOrder:
    """The shop's order; unknown, malformed and other shops' ids are all 404."""
    pk = parse_order_id(order_id)
    order = ctx.session.get(ShopOrder, pk) if pk is not None else None
    if order is None or order.shop_pk != shop.id:
        raise OrderNotFound()
    return order
