"""Who may act on a dispatch order: its shop, its supplier, nobody else.

A stranger gets 404 exactly like a missing number. The shop asking for a supplier's move (or the
other way round) sees the dispatch order, so it gets 403 saying whose move it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import bindparam, select

from daifa.context import Ctx, Scope
from daifa.dispatch.errors import DispatchOrderNotFound, ShopOnly, SupplierOnly
from daifa.dispatch.models import DispatchOrder
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

Party = Literal["shop", "supplier"]

_FIND = (select(DispatchOrder, Shop, Supplier)
         .join(Shop, Shop.id == DispatchOrder.shop_pk)
         .join(Supplier, Supplier.id == DispatchOrder.supplier_pk)
         .where(DispatchOrder.dispatch_order_no == bindparam("no")))


@dataclass
class Target:
    """A dispatch order with its shop and supplier, and which of them the actor speaks for."""

    order: DispatchOrder
    shop: Shop
    supplier: Supplier
    as_shop: bool
    as_supplier: bool

    @property
    def no(self) -> str:
        return self.order.dispatch_order_no

    @property
    def party(self) -> Party:
        """The side the actor acts for; the shop when it speaks for both."""
        return "shop" if self.as_shop else "supplier"


def normalise_no(no: str) -> str:
    return no.strip().upper()


def find(ctx: Ctx, no: str) -> Target:
    """The dispatch order for its shop or its supplier; 404 for anyone else."""
    row = ctx.session.execute(_FIND, {"no": normalise_no(no)}).first()
    if row is None:
        raise DispatchOrderNotFound()
    order, shop, supplier = row
    target = Target(order, shop, supplier,
                    ctx.actor.may_act_for(Scope.SHOP, shop.id, shop.owner_account_id),
                    ctx.actor.may_act_for(Scope.SUPPLIER, supplier.id,
                                          supplier.owner_account_id))
    if not (target.as_shop or target.as_supplier):
        raise DispatchOrderNotFound()
    return target


def for_supplier(ctx: Ctx, no: str) -> Target:
    target = find(ctx, no)
    if not target.as_supplier:
        raise SupplierOnly()
    return target


def for_shop(ctx: Ctx, no: str) -> Target:
    target = find(ctx, no)
    if not target.as_shop:
        raise ShopOnly()
    return target


def of_order(ctx: Ctx, order: DispatchOrder) -> Target:
    """A dispatch order already in hand (the worker, the tracking package): the system acts."""
    shop = ctx.session.get_one(Shop, order.shop_pk)
    supplier = ctx.session.get_one(Supplier, order.supplier_pk)
    return Target(order, shop, supplier, as_shop=False, as_supplier=False)
