"""A shop's dispatch settings and rules: read, change (audited, versioned), list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from daifa.audit import service as audit
from daifa.bindings.models import Binding
from daifa.bindings.states import BindingStatus
from daifa.catalog import shop_catalog
from daifa.catalog.partners import BoundSuppliers, names_by_pk
from daifa.catalog.service import like_pattern
from daifa.context import Ctx
from daifa.kit import ids
from daifa.kit.pagination import Page
from daifa.routing.errors import (
    DefaultSupplierRequired,
    DuplicateSupplier,
    ProductNotFound,
    RuleNotFound,
    SkuNotFound,
)
from daifa.routing.models import DEFAULT_SHIP_BY_HOURS, DispatchRule, DispatchSettings
from daifa.routing.schemas import (
    DispatchRuleIn,
    DispatchRuleOut,
    DispatchSettingsIn,
    DispatchSettingsOut,
    SupplierRef,
)
from daifa.routing.states import DispatchMode, RuleKind
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier
from daifa.suppliers.states import SupplierStatus


def current(ctx: Ctx, shop: Shop) -> DispatchSettings | None:
    """The stored settings; None means never set, i.e. manual with defaults."""
    return ctx.session.get(DispatchSettings, shop.id)


def _row(ctx: Ctx, shop: Shop) -> DispatchSettings:
    """The settings row, created with the defaults the first time something is changed."""
    row = current(ctx, shop)
    if row is not None:
        return row
    row = DispatchSettings(shop_pk=shop.id, mode=DispatchMode.MANUAL.value,
                           default_supplier_pk=None, fallback_to_default=False,
                           ship_by_hours=DEFAULT_SHIP_BY_HOURS, version=0, updated_at=ctx.now())
    try:
        with ctx.session.begin_nested():
            ctx.session.add(row)
    except IntegrityError:  # another request created it first
        found = current(ctx, shop)
        assert found is not None
        return found
    return row


def _bump(ctx: Ctx, row: DispatchSettings) -> None:
    """A new version, incremented in SQL so concurrent changes never share one."""
    row.version = DispatchSettings.version + 1
    row.updated_at = ctx.now()
    ctx.session.flush()


def _bound_pks(ctx: Ctx, shop: Shop) -> set[int]:
    return set(ctx.session.scalars(
        select(Binding.supplier_pk).join(Supplier, Supplier.id == Binding.supplier_pk)
        .where(Binding.shop_pk == shop.id, Binding.status == BindingStatus.ACTIVE,
               Supplier.status == SupplierStatus.ACTIVE)
    ))


def _ref(supplier: Supplier, bound: set[int]) -> SupplierRef:
    return SupplierRef(supplier_id=supplier.supplier_id, name=supplier.name,
                       status=supplier.status, bound=supplier.id in bound)


def settings_out(ctx: Ctx, shop: Shop) -> DispatchSettingsOut:
    row = current(ctx, shop)
    if row is None:
        return DispatchSettingsOut(shop_id=shop.shop_id, mode=DispatchMode.MANUAL,
                                   default_supplier_id=None, default_supplier=None,
                                   fallback_to_default=False, ship_by_hours=DEFAULT_SHIP_BY_HOURS,
                                   version=0, updated_at=None)
    default = (ctx.session.get(Supplier, row.default_supplier_pk)
               if row.default_supplier_pk is not None else None)
    return DispatchSettingsOut(
        shop_id=shop.shop_id, mode=DispatchMode(row.mode),
        default_supplier_id=default.supplier_id if default else None,
        default_supplier=_ref(default, _bound_pks(ctx, shop)) if default else None,
        fallback_to_default=row.fallback_to_default, ship_by_hours=row.ship_by_hours,
        version=row.version, updated_at=row.updated_at)


def _snapshot(row: DispatchSettings | None, default: Supplier | None) -> dict[str, Any]:
    if row is None:
        return {"mode": DispatchMode.MANUAL.value, "default_supplier_id": None,
                "fallback_to_default": False, "ship_by_hours": DEFAULT_SHIP_BY_HOURS}
    return {"mode": row.mode, "default_supplier_id": default.supplier_id if default else None,
            "fallback_to_default": row.fallback_to_default, "ship_by_hours": row.ship_by_hours}


def put_settings(ctx: Ctx, shop: Shop, data: DispatchSettingsIn) -> DispatchSettingsOut:
    """Set the mode and its options; left-out fields keep their value. Audited, versioned."""
    row = current(ctx, shop)
    old_default = (ctx.session.get(Supplier, row.default_supplier_pk)
                   if row and row.default_supplier_pk is not None else None)
    before = _snapshot(row, old_default)
    default = _chosen_default(ctx, shop, data, old_default)
    fallback = (data.fallback_to_default if data.fallback_to_default is not None
                else before["fallback_to_default"])
    ship_by = data.ship_by_hours if data.ship_by_hours is not None else before["ship_by_hours"]
    _check_default_needed(data.mode, fallback, default)
    if default is not None and default is old_default and _needs_default(data.mode, fallback):
        BoundSuppliers(ctx, shop).get(default.supplier_id)  # still bound?
    after = {"mode": data.mode.value, "default_supplier_id": default.supplier_id if default
             else None, "fallback_to_default": fallback, "ship_by_hours": ship_by}
    if after != before:
        row = _row(ctx, shop)
        row.mode = data.mode.value
        row.default_supplier_pk = default.id if default else None
        row.fallback_to_default = fallback
        row.ship_by_hours = ship_by
        _bump(ctx, row)
        audit.record(ctx, "shop", shop.shop_id, "dispatch.settings_changed",
                     data={"before": before, "after": after, "version": row.version})
    return settings_out(ctx, shop)


def _chosen_default(ctx: Ctx, shop: Shop, data: DispatchSettingsIn,
                    old_default: Supplier | None) -> Supplier | None:
    if "default_supplier_id" not in data.model_fields_set:
        return old_default
    if data.default_supplier_id is None:
        return None
    return BoundSuppliers(ctx, shop).get(data.default_supplier_id)


def _needs_default(mode: DispatchMode, fallback: bool) -> bool:
    return mode is DispatchMode.WHOLE_STORE or (mode is DispatchMode.BY_PRODUCT and fallback)


def _check_default_needed(mode: DispatchMode, fallback: bool, default: Supplier | None) -> None:
    if default is not None or not _needs_default(mode, fallback):
        return
    raise DefaultSupplierRequired(mode=mode.value, fallback_to_default=fallback)


def _ensure_key(ctx: Ctx, shop: Shop, kind: RuleKind, key: str) -> None:
    if kind is RuleKind.PRODUCT and shop_catalog.find_product(ctx, shop, key) is None:
        raise ProductNotFound(spu_code=key)
    if kind is RuleKind.SKU and shop_catalog.find_sku(ctx, shop, key) is None:
        raise SkuNotFound(sku_code=key)


def _distinct_suppliers(ctx: Ctx, shop: Shop, raws: Sequence[str]) -> list[Supplier]:
    keys = [ids.normalise(raw) for raw in raws]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate is not None:
        raise DuplicateSupplier(supplier_id=duplicate)
    return BoundSuppliers(ctx, shop).many(raws)


def _find_rule(ctx: Ctx, shop: Shop, kind: RuleKind, key: str) -> DispatchRule | None:
    return ctx.session.scalar(
        select(DispatchRule).where(DispatchRule.shop_pk == shop.id,
                                   DispatchRule.kind == kind.value, DispatchRule.key == key)
    )


def _upsert_rule(ctx: Ctx, shop: Shop, kind: RuleKind, key: str,
                 pks: list[int]) -> tuple[DispatchRule, list[int] | None]:
    """The rule now naming `pks`, and what it named before (None when it is new)."""
    rule = _find_rule(ctx, shop, kind, key)
    if rule is None:
        rule = DispatchRule(shop_pk=shop.id, kind=kind.value, key=key, supplier_pks=pks,
                            updated_at=ctx.now())
        try:
            with ctx.session.begin_nested():
                ctx.session.add(rule)
            return rule, None
        except IntegrityError:  # a concurrent request created it: change that one
            rule = _find_rule(ctx, shop, kind, key)
            assert rule is not None
    previous = list(rule.supplier_pks)
    if previous != pks:
        rule.supplier_pks = pks
        rule.updated_at = ctx.now()
    return rule, previous


def put_rule(ctx: Ctx, shop: Shop, kind: RuleKind, key: str,
             data: DispatchRuleIn) -> DispatchRuleOut:
    """Set the suppliers (first choice, then backups) for one product or SKU."""
    _ensure_key(ctx, shop, kind, key)
    chosen = _distinct_suppliers(ctx, shop, data.supplier_ids)
    pks = [s.id for s in chosen]
    rule, previous = _upsert_rule(ctx, shop, kind, key, pks)
    if previous != pks:
        row = _row(ctx, shop)
        _bump(ctx, row)
        audit.record(ctx, "shop", shop.shop_id, "dispatch.rule_set",
                     data={"kind": kind.value, "key": key,
                           "supplier_ids": [s.supplier_id for s in chosen],
                           "version": row.version})
    return rules_out(ctx, shop, [rule])[0]


def delete_rule(ctx: Ctx, shop: Shop, kind: RuleKind, key: str) -> None:
    rule = _find_rule(ctx, shop, kind, key)
    if rule is None:
        raise RuleNotFound(kind=kind.value, key=key)
    ctx.session.delete(rule)
    row = _row(ctx, shop)
    _bump(ctx, row)
    audit.record(ctx, "shop", shop.shop_id, "dispatch.rule_deleted",
                 data={"kind": kind.value, "key": key, "version": row.version})


def list_rules(ctx: Ctx, shop: Shop, *, kind: RuleKind | None = None, q: str | None = None,
               after: int | None = None, limit: int = 50) -> Page[DispatchRuleOut]:
    query: Select[DispatchRule] = select(DispatchRule).where(DispatchRule.shop_pk == shop.id)
    if kind is not None:
        query = query.where(DispatchRule.kind == kind.value)
    if q and q.strip():
        query = query.where(DispatchRule.key.ilike(like_pattern(q), escape="\\"))
    if after is not None:
        query = query.where(DispatchRule.id > after)
    found = ctx.session.scalars(query.order_by(DispatchRule.id).limit(limit)).all()
    outs = rules_out(ctx, shop, found)
    return Page.of([(r.id, out) for r, out in zip(found, outs, strict=True)], limit)


def rules_out(ctx: Ctx, shop: Shop, found: Sequence[DispatchRule]) -> list[DispatchRuleOut]:
    ctx.session.flush()
    suppliers = names_by_pk(ctx, [pk for r in found for pk in r.supplier_pks])
    bound = _bound_pks(ctx, shop) if found else set()
    outs = []
    for rule in found:
        refs = [_ref(suppliers[pk], bound) for pk in rule.supplier_pks if pk in suppliers]
        outs.append(DispatchRuleOut(kind=RuleKind(rule.kind), key=rule.key,
                                    supplier_ids=[r.supplier_id for r in refs], suppliers=refs,
                                    updated_at=rule.updated_at))
    return outs
