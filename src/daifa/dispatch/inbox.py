"""What the supplier's inbox pages need beyond a page of dispatch orders: how many wait in each
status, the names of the shops on a page, and one dispatch order seen as its supplier."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select

from daifa.context import Ctx
from daifa.dispatch.models import DispatchOrder
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
