"""Compile what the database says about a shop's routing into a `rules.Snapshot`.

Four queries whatever the number of lines: settings, the shop SKUs asked for with their sources,
the rules that can apply to them, and the state of every supplier named anywhere. Only the
SKUs asked for are loaded (all of the shop's when `sku_codes` is None), so an order of three
lines does not pay for a catalog of twenty thousand.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, and_, bindparam, or_, select

from daifa.bindings.models import Binding
from daifa.bindings.states import BindingStatus
from daifa.catalog.models import ShopProduct, ShopSku, ShopSkuSource, SupplyProduct, SupplySku
from daifa.context import Ctx
from daifa.routing.models import DEFAULT_SHIP_BY_HOURS, DispatchRule, DispatchSettings
from daifa.routing.rules import ELIGIBLE, ShopSkuEntry, Skip, Snapshot, Source
from daifa.routing.states import DispatchMode, RuleKind
from daifa.suppliers.models import Supplier
from daifa.suppliers.states import SupplierStatus


@dataclass
class Compiled:
    snap: Snapshot
    supplier_ids: dict[int, str] = field(default_factory=dict)  # row id → public Supplier ID
    auto_accept: set[int] = field(default_factory=set)  # suppliers accepting at once

    def pk_of(self, supplier_id: str) -> int | None:
        return next((pk for pk, public in self.supplier_ids.items() if public == supplier_id),
                    None)


def build(ctx: Ctx, shop_pk: int, sku_codes: Collection[str] | None, *,
          also_suppliers: Iterable[int] = (), with_stock: bool = True) -> Compiled:
    """The shop's routing state for these SKUs. `with_stock=False` ignores stock (dry runs)."""
    snap = _settings(ctx, shop_pk)
    if sku_codes is None or sku_codes:
        _skus(ctx, snap, shop_pk, sku_codes, with_stock)
        _rules(ctx, snap, shop_pk, sku_codes)
    named = set(also_suppliers)
    named.update(pk for chain in snap.sku_rules.values() for pk in chain)
    named.update(pk for chain in snap.product_rules.values() for pk in chain)
    named.update(pk for entry in snap.skus.values() for pk in entry.sources)
    if snap.default_supplier_pk is not None:
        named.add(snap.default_supplier_pk)
    compiled = Compiled(snap)
    _suppliers(ctx, compiled, shop_pk, named)
    return compiled


# Statements are built once: building one costs more than running it (measured on this path).
# On the tables, not the mapped classes, so running them skips the ORM's result handling.
def _t(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


_DS, _DR = _t(DispatchSettings).c, _t(DispatchRule).c
_SS, _SP, _SRC = _t(ShopSku).c, _t(ShopProduct).c, _t(ShopSkuSource).c
_US, _UP, _SUP, _BIND = _t(SupplySku).c, _t(SupplyProduct).c, _t(Supplier).c, _t(Binding).c
_SETTINGS = select(_DS.mode, _DS.default_supplier_pk, _DS.fallback_to_default, _DS.ship_by_hours,
                   _DS.version).where(_DS.shop_pk == bindparam("shop"))
_SKUS = (
    select(_SS.sku_code, _SS.id, _SP.spu_code, _SRC.supplier_pk, _US.id, _US.sku_code,
           _US.supply_price_fen, _US.price_tiers, _US.stock, _UP.id)
    .select_from(_t(ShopSku))
    .join(_t(ShopProduct), _SP.id == _SS.product_pk)
    .outerjoin(_t(ShopSkuSource), _SRC.shop_sku_pk == _SS.id)
    .outerjoin(_t(SupplySku), and_(_US.id == _SRC.supply_sku_pk, _US.active.is_(True)))
    .outerjoin(_t(SupplyProduct), and_(_UP.id == _US.product_pk, _UP.active.is_(True)))
    .where(_SS.shop_pk == bindparam("shop"))
)
_SKUS_IN = _SKUS.where(_SS.sku_code.in_(bindparam("skus", expanding=True)))
_RULES = select(_DR.kind, _DR.key, _DR.supplier_pks).where(_DR.shop_pk == bindparam("shop"))
_RULES_IN = _RULES.where(or_(
    and_(_DR.kind == RuleKind.SKU.value, _DR.key.in_(bindparam("skus", expanding=True))),
    and_(_DR.kind == RuleKind.PRODUCT.value, _DR.key.in_(bindparam("spus", expanding=True))),
))
_SUPPLIERS = (
    select(_SUP.id, _SUP.supplier_id, _SUP.status, _SUP.auto_accept, _BIND.id)
    .select_from(_t(Supplier))
    .outerjoin(_t(Binding), and_(_BIND.supplier_pk == _SUP.id, _BIND.shop_pk == bindparam("shop"),
                                 _BIND.status == BindingStatus.ACTIVE.value))
    .where(_SUP.id.in_(bindparam("pks", expanding=True)))
)


def _settings(ctx: Ctx, shop_pk: int) -> Snapshot:
    row = ctx.session.execute(_SETTINGS, {"shop": shop_pk}).first()
    if row is None:
        return Snapshot(mode=DispatchMode.MANUAL.value, ship_by_hours=DEFAULT_SHIP_BY_HOURS)
    mode, default_pk, fallback, ship_by_hours, version = row
    return Snapshot(mode=mode, default_supplier_pk=default_pk, fallback_to_default=fallback,
                    ship_by_hours=ship_by_hours, version=version)


def _skus(ctx: Ctx, snap: Snapshot, shop_pk: int, sku_codes: Collection[str] | None,
          with_stock: bool) -> None:
    rows = (ctx.session.execute(_SKUS, {"shop": shop_pk}) if sku_codes is None else
            ctx.session.execute(_SKUS_IN, {"shop": shop_pk, "skus": list(sku_codes)}))
    sources: dict[str, dict[int, Source]] = {}
    for (sku_code, shop_sku_pk, spu_code, supplier_pk, supply_pk, supplier_code, price, tiers,
         stock, product_pk) in rows:
        entry_sources = sources.get(sku_code)
        if entry_sources is None:
            entry_sources = sources[sku_code] = {}
            snap.skus[sku_code] = ShopSkuEntry(shop_sku_pk, spu_code, entry_sources)
        if supply_pk is None or product_pk is None:  # no mapping, or its SKU/product is off
            continue
        tracked = with_stock and stock is not None
        entry_sources[supplier_pk] = Source(supply_pk, supplier_code, price,
                                            tuple(tiers or ()), tracked)
        if tracked:
            snap.stock[supply_pk] = stock


def _rules(ctx: Ctx, snap: Snapshot, shop_pk: int, sku_codes: Collection[str] | None) -> None:
    if sku_codes is None:
        rows = ctx.session.execute(_RULES, {"shop": shop_pk})
    else:
        spus = sorted({entry.spu_code for entry in snap.skus.values()})
        rows = ctx.session.execute(_RULES_IN, {"shop": shop_pk, "skus": list(sku_codes),
                                               "spus": spus})
    for kind, key, supplier_pks in rows:
        target = snap.sku_rules if kind == RuleKind.SKU.value else snap.product_rules
        target[key] = tuple(int(pk) for pk in supplier_pks)


def _suppliers(ctx: Ctx, compiled: Compiled, shop_pk: int, named: set[int]) -> None:
    if not named:
        return
    snap = compiled.snap
    rows = ctx.session.execute(_SUPPLIERS, {"shop": shop_pk, "pks": sorted(named)})
    for pk, supplier_id, status, auto_accept, binding_pk in rows:
        compiled.supplier_ids[pk] = supplier_id
        if auto_accept:
            compiled.auto_accept.add(pk)
        if binding_pk is None:
            snap.suppliers[pk] = Skip.UNBOUND.value
        elif status != SupplierStatus.ACTIVE:
            snap.suppliers[pk] = Skip.SUSPENDED.value
        else:
            snap.suppliers[pk] = ELIGIBLE
