"""Suppliers named by a shop in a body: they must be active and actively bound to it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from daifa.bindings.models import Binding
from daifa.bindings.states import BindingStatus
from daifa.catalog.errors import SupplierNotBound
from daifa.context import Ctx
from daifa.kit import ids
from daifa.shops.models import Shop
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier
from daifa.suppliers.states import SupplierStatus


def is_bound(ctx: Ctx, shop: Shop, supplier: Supplier) -> bool:
    """Active supplier with an active binding to the shop."""
    if supplier.status != SupplierStatus.ACTIVE:
        return False
    binding = ctx.session.scalar(
        select(Binding.id).where(Binding.shop_pk == shop.id, Binding.supplier_pk == supplier.id,
                                 Binding.status == BindingStatus.ACTIVE)
    )
    return binding is not None


def bound_supplier(ctx: Ctx, shop: Shop, raw: str) -> Supplier:
    """The supplier a shop typed: 422 NOT_A_SUPPLIER_ID / INVALID_SUPPLIER_ID for bad input,
    404 SUPPLIER_NOT_FOUND for an unknown ID, 422 SUPPLIER_NOT_BOUND unless active and bound."""
    supplier = suppliers.resolve_reference(ctx, raw)
    if not is_bound(ctx, shop, supplier):
        raise SupplierNotBound(supplier_id=supplier.supplier_id)
    return supplier


class BoundSuppliers:
    """Resolves each distinct Supplier ID once per request."""

    def __init__(self, ctx: Ctx, shop: Shop) -> None:
        self.ctx = ctx
        self.shop = shop
        self._seen: dict[str, Supplier] = {}

    def get(self, raw: str) -> Supplier:
        key = ids.normalise(raw)
        if key not in self._seen:
            self._seen[key] = bound_supplier(self.ctx, self.shop, raw)
        return self._seen[key]

    def many(self, raws: Sequence[str]) -> list[Supplier]:
        return [self.get(raw) for raw in raws]


def names_by_pk(ctx: Ctx, pks: Sequence[int]) -> dict[int, Supplier]:
    if not pks:
        return {}
    rows = ctx.session.scalars(select(Supplier).where(Supplier.id.in_(set(pks))))
    return {s.id: s for s in rows}
