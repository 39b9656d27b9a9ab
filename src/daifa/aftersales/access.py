"""Who may see and act on a case: its shop, its supplier and platform admins; anyone else gets
404 exactly like a missing number. A party asking for the other side's move gets 403."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import bindparam, select

from daifa.aftersales.errors import CaseNotFound, CaseShopOnly, CaseSupplierOnly
from daifa.aftersales.models import AfterSaleCase
from daifa.context import Ctx, Scope
from daifa.errors import Forbidden
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

CASE_NO = re.compile(r"AS[0-9]{14,24}")
Party = Literal["shop", "supplier", "admin", "system"]

_FIND = (select(AfterSaleCase, Shop, Supplier)
         .join(Shop, Shop.id == AfterSaleCase.shop_pk)
         .join(Supplier, Supplier.id == AfterSaleCase.supplier_pk)
         .where(AfterSaleCase.case_no == bindparam("no")))


@dataclass
class CaseTarget:
    case: AfterSaleCase
    shop: Shop
    supplier: Supplier
    as_shop: bool
    as_supplier: bool
    as_admin: bool

    @property
    def no(self) -> str:
        return self.case.case_no or ""

    @property
    def party(self) -> Party:
        """The side the actor acts for (the shop when it speaks for both)."""
        if self.as_shop:
            return "shop"
        if self.as_supplier:
            return "supplier"
        return "admin" if self.as_admin else "system"


def find(ctx: Ctx, no: str) -> CaseTarget:
    number = no.strip().upper()
    if not CASE_NO.fullmatch(number):  # not one of ours: no need to ask the database
        raise CaseNotFound()
    row = ctx.session.execute(_FIND, {"no": number}).first()
    if row is None:
        raise CaseNotFound()
    case, shop, supplier = row
    target = CaseTarget(case, shop, supplier,
                        ctx.actor.may_act_for(Scope.SHOP, shop.id, shop.owner_account_id),
                        ctx.actor.may_act_for(Scope.SUPPLIER, supplier.id,
                                              supplier.owner_account_id),
                        ctx.actor.is_admin)
    if not (target.as_shop or target.as_supplier or target.as_admin):
        raise CaseNotFound()
    return target


def for_shop(ctx: Ctx, no: str) -> CaseTarget:
    target = find(ctx, no)
    if not target.as_shop:
        raise CaseShopOnly()
    return target


def for_supplier(ctx: Ctx, no: str) -> CaseTarget:
    target = find(ctx, no)
    if not target.as_supplier:
        raise CaseSupplierOnly()
    return target


def for_party(ctx: Ctx, no: str) -> CaseTarget:
    """The shop or the supplier (an admin only reads and decides)."""
    target = find(ctx, no)
    if not (target.as_shop or target.as_supplier):
        raise Forbidden()  # the parties only
    return target


def for_admin(ctx: Ctx, no: str) -> CaseTarget:
    target = find(ctx, no)
    if not target.as_admin:
        raise Forbidden()  # platform admins only
    return target


def of_case(ctx: Ctx, case: AfterSaleCase) -> CaseTarget:
    """A case already in hand (the worker, a reaction): the system acts."""
    shop = ctx.session.get_one(Shop, case.shop_pk)
    supplier = ctx.session.get_one(Supplier, case.supplier_pk)
    return CaseTarget(case, shop, supplier, as_shop=False, as_supplier=False, as_admin=False)
