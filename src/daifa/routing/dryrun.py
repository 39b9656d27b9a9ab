"""Dry run: replay the last N days of a shop's order lines against a proposed rule set.

The proposal is laid over the current settings and rules (a rule with an empty list is
removed). Suppliers, bindings and source mappings are taken as they are now; stock is left out,
since today's stock says nothing about last month's orders. Nothing is written: the API runs
this in a read-only unit of work that is rolled back.

Lines are grouped by (SKU, quantity) first; without stock a decision depends on nothing else,
so each distinct pair is resolved once, and a month of orders costs a few thousand lookups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import func, select

from daifa.catalog.partners import BoundSuppliers, names_by_pk
from daifa.context import Ctx
from daifa.kit.inputs import Flag, Int, Key
from daifa.orders.models import OrderLine, ShopOrder
from daifa.routing import snapshot
from daifa.routing.rules import Proposal, Snapshot, apply_proposal, resolve_line, unit_price
from daifa.routing.schemas import MAX_RULE_SUPPLIERS
from daifa.routing.states import DispatchMode
from daifa.shops.models import Shop

LOAD_ALL_ABOVE = 2000  # distinct SKUs; beyond this the whole catalog is one cheaper query


class ProposedSettings(BaseModel):
    mode: DispatchMode | None = None
    default_supplier_id: str | None = Field(default=None, max_length=40)
    fallback_to_default: Flag | None = None


SupplierList = Annotated[list[Key], Field(max_length=MAX_RULE_SUPPLIERS)]
MAX_PROPOSED_RULES = 10_000


class DryRunIn(BaseModel):
    days: Int = Field(default=30, ge=1, le=366)
    settings: ProposedSettings | None = None
    product_rules: dict[Key, SupplierList] = Field(
        default_factory=dict, max_length=MAX_PROPOSED_RULES,
        description="spu_code → [first, backup, ...]; [] removes a rule")
    sku_rules: dict[Key, SupplierList] = Field(default_factory=dict,
                                               max_length=MAX_PROPOSED_RULES,
                                               description="sku_code → supplier IDs")


class SupplierTotal(BaseModel):
    supplier_id: str
    name: str
    lines: int
    quantity: int
    cost_fen: int = Field(description="Σ quantity × supply price (tier applied), in fen")


class UnassignedTotal(BaseModel):
    reason: str
    lines: int
    quantity: int


class Outcome(BaseModel):
    suppliers: list[SupplierTotal]
    unassigned: list[UnassignedTotal]


class DryRunOut(BaseModel):
    days: int
    since: datetime
    orders: int
    lines: int
    changed_lines: int = Field(description="Lines whose supplier (or none) would change")
    current: Outcome
    proposed: Outcome


def dry_run(ctx: Ctx, shop: Shop, data: DryRunIn) -> DryRunOut:
    since = ctx.now() - timedelta(days=data.days)
    base = (select(OrderLine.sku_code, OrderLine.quantity, func.count())
            .join(ShopOrder, ShopOrder.id == OrderLine.order_pk)
            .where(ShopOrder.shop_pk == shop.id, ShopOrder.created_at >= since))
    groups = [(sku, quantity, count) for sku, quantity, count in ctx.session.execute(
        base.group_by(OrderLine.sku_code, OrderLine.quantity))]
    orders = ctx.session.scalar(select(func.count()).select_from(ShopOrder).where(
        ShopOrder.shop_pk == shop.id, ShopOrder.created_at >= since)) or 0
    proposal, named = _proposal(ctx, shop, data)
    skus = {sku for sku, _, _ in groups}
    compiled = snapshot.build(ctx, shop.id, skus if len(skus) <= LOAD_ALL_ABOVE else None,
                              also_suppliers=named, with_stock=False)
    current = compiled.snap
    proposed = apply_proposal(current, proposal)
    names = {pk: s.name for pk, s in names_by_pk(ctx, list(compiled.supplier_ids)).items()}
    changed = sum(count for sku, quantity, count in groups
                  if resolve_line(current, sku, quantity).supplier_pk
                  != resolve_line(proposed, sku, quantity).supplier_pk)
    return DryRunOut(days=data.days, since=since, orders=orders,
                     lines=sum(count for _, _, count in groups), changed_lines=changed,
                     current=_outcome(current, groups, compiled.supplier_ids, names),
                     proposed=_outcome(proposed, groups, compiled.supplier_ids, names))


def _proposal(ctx: Ctx, shop: Shop, data: DryRunIn) -> tuple[Proposal, set[int]]:
    """The proposal in row ids; every supplier named must be active and bound (422 else)."""
    bound = BoundSuppliers(ctx, shop)

    def pks(raws: Sequence[str]) -> list[int]:
        return list(dict.fromkeys(supplier.id for supplier in bound.many(raws)))

    product_rules = {key: pks(raws) for key, raws in data.product_rules.items()}
    sku_rules = {key: pks(raws) for key, raws in data.sku_rules.items()}
    settings = data.settings or ProposedSettings()
    given = settings.model_fields_set
    default_pk = (bound.get(settings.default_supplier_id).id
                  if settings.default_supplier_id else None)
    proposal = Proposal(
        mode=settings.mode.value if settings.mode else None, default_supplier_pk=default_pk,
        clear_default="default_supplier_id" in given and default_pk is None,
        fallback_to_default=settings.fallback_to_default,
        product_rules=product_rules, sku_rules=sku_rules)
    named = {pk for chain in [*product_rules.values(), *sku_rules.values()] for pk in chain}
    if default_pk is not None:
        named.add(default_pk)
    return proposal, named


def _outcome(snap: Snapshot, groups: Sequence[tuple[str, int, int]],
             supplier_ids: Mapping[int, str], names: Mapping[int, str]) -> Outcome:
    per_supplier: dict[int, list[int]] = {}
    waiting: dict[str, list[int]] = {}
    for sku, quantity, count in groups:
        decision = resolve_line(snap, sku, quantity)
        if decision.supplier_pk is None or decision.source is None:
            totals = waiting.setdefault(decision.reason, [0, 0])
            totals[0] += count
            totals[1] += quantity * count
            continue
        totals = per_supplier.setdefault(decision.supplier_pk, [0, 0, 0])
        totals[0] += count
        totals[1] += quantity * count
        totals[2] += unit_price(decision.source, quantity) * quantity * count
    return Outcome(
        suppliers=[SupplierTotal(supplier_id=supplier_ids.get(pk, str(pk)),
                                 name=names.get(pk, ""), lines=t[0], quantity=t[1],
                                 cost_fen=t[2])
                   for pk, t in sorted(per_supplier.items(), key=lambda kv: -kv[1][1])],
        unassigned=[UnassignedTotal(reason=reason, lines=t[0], quantity=t[1])
                    for reason, t in sorted(waiting.items())],
    )
