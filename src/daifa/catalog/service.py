"""Supply catalog use cases: stock reservation."""

from __future__ import annotations

from sqlalchemy import or_, update

from daifa.catalog.models import SupplySku
from daifa.context import Ctx


def reserve_stock(ctx: Ctx, supply_sku_pk: int, quantity: int) -> bool:
    """Take `quantity` from the SKU's stock if there is enough (or stock is not tracked).

    One conditional UPDATE, so concurrent reservations never drive stock negative on SQLite or
    PostgreSQL, without row locks. True when reserved.
    """
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    result = ctx.session.execute(
        update(SupplySku)
        .where(SupplySku.id == supply_sku_pk,
               or_(SupplySku.stock.is_(None), SupplySku.stock >= quantity))
        .values(stock=SupplySku.stock - quantity)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release_stock(ctx: Ctx, supply_sku_pk: int, quantity: int) -> None:
    """Give back what a reservation took (cancel, reject); untracked stock stays untracked."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    ctx.session.execute(
        update(SupplySku)
        .where(SupplySku.id == supply_sku_pk, SupplySku.stock.is_not(None))
        .values(stock=SupplySku.stock + quantity)
        .execution_options(synchronize_session="fetch")
    )
