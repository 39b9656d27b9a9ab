"""The routing resolver: pure decisions over a compiled snapshot of a shop's dispatch rules.

No I/O and no SQLAlchemy here. `routing.snapshot` compiles what the database says (settings,
rules, SKU sources, supplier and binding state, stock) into the plain dicts of `Snapshot`;
resolving a line is then a handful of dict lookups, so the hot path stays fast (bench/routing.py).

Per line the resolver returns a `Decision`: a supplier with the reason it was chosen
(`sku_rule`, `product_rule`, `store_default`, `manual`, or `backup` with why each earlier choice
was skipped: `unbound`, `suspended`, `out_of_stock`, `no_source`), or no supplier and the reason
the line waits (`UNKNOWN_SKU`, `NO_RULE`, `MANUAL_MODE`, `NO_ELIGIBLE_SUPPLIER`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, NamedTuple

from daifa.catalog.rules import unit_price_for
from daifa.routing.states import DispatchMode


class Reason(StrEnum):
    """Why a line went to the supplier it went to."""

    SKU_RULE = "sku_rule"
    PRODUCT_RULE = "product_rule"
    STORE_DEFAULT = "store_default"
    MANUAL = "manual"
    BACKUP = "backup"  # a later supplier of the rule's list; `skipped` says why


class Skip(StrEnum):
    """Why a supplier named by a rule was passed over."""

    UNBOUND = "unbound"
    SUSPENDED = "suspended"
    OUT_OF_STOCK = "out_of_stock"
    NO_SOURCE = "no_source"  # the shop SKU has no (active) source mapping to that supplier


class Unassigned(StrEnum):
    """Why a line waits for manual assignment."""

    UNKNOWN_SKU = "UNKNOWN_SKU"
    NO_RULE = "NO_RULE"
    MANUAL_MODE = "MANUAL_MODE"
    NO_ELIGIBLE_SUPPLIER = "NO_ELIGIBLE_SUPPLIER"


ELIGIBLE = "eligible"  # supplier state: active and actively bound to the shop


@dataclass(frozen=True, slots=True)
class Source:
    """The supplier SKU that fulfils a shop SKU for one supplier."""

    supply_sku_pk: int
    supplier_sku_code: str
    supply_price_fen: int
    price_tiers: Sequence[Mapping[str, Any]] = ()  # [{min_quantity, price_fen}]
    tracked: bool = False  # stock is tracked; the available count lives in Snapshot.stock


@dataclass(frozen=True, slots=True)
class ShopSkuEntry:
    shop_sku_pk: int
    spu_code: str
    sources: Mapping[int, Source]  # supplier_pk → source


@dataclass(slots=True)
class Snapshot:
    """A shop's rules compiled into dicts. `stock` is consumed as lines take units."""

    mode: str = DispatchMode.MANUAL.value
    default_supplier_pk: int | None = None
    fallback_to_default: bool = False
    ship_by_hours: int = 48
    version: int = 0
    skus: dict[str, ShopSkuEntry] = field(default_factory=dict)
    sku_rules: dict[str, tuple[int, ...]] = field(default_factory=dict)
    product_rules: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # supplier_pk → ELIGIBLE, Skip.UNBOUND or Skip.SUSPENDED; a supplier missing is unbound.
    suppliers: dict[int, str] = field(default_factory=dict)
    stock: dict[int, int] = field(default_factory=dict)  # supply_sku_pk → units (tracked only)
    # Each SKU's rule compiled on first use; everything above is read-only once resolving began.
    plans: dict[str, Any] = field(default_factory=dict)


class Decision(NamedTuple):
    supplier_pk: int | None
    reason: str  # a Reason when supplier_pk is set, else an Unassigned code
    basis: str | None = None  # the rule whose list was walked: sku_rule/product_rule/...
    skipped: tuple[tuple[int, str], ...] = ()  # (supplier_pk, Skip) in the order tried
    backups: tuple[int, ...] = ()  # the suppliers after the chosen one, for rerouting
    source: Source | None = None

    @property
    def assigned(self) -> bool:
        return self.supplier_pk is not None


_NO_SKU = Decision(None, Unassigned.UNKNOWN_SKU.value)
_MANUAL = Decision(None, Unassigned.MANUAL_MODE.value)
_NO_RULE = Decision(None, Unassigned.NO_RULE.value)
_SKU = Reason.SKU_RULE.value
_PRODUCT = Reason.PRODUCT_RULE.value
_DEFAULT = Reason.STORE_DEFAULT.value
_BACKUP = Reason.BACKUP.value
_UNBOUND = Skip.UNBOUND.value
_NO_SOURCE = Skip.NO_SOURCE.value
_OUT = Skip.OUT_OF_STOCK.value
_NONE_ELIGIBLE = Unassigned.NO_ELIGIBLE_SUPPLIER.value
_BY_PRODUCT = DispatchMode.BY_PRODUCT.value
_WHOLE_STORE = DispatchMode.WHOLE_STORE.value


def candidates(snap: Snapshot, sku_code: str) -> tuple[str, tuple[int, ...]] | Decision:
    """The rule that applies to a shop SKU and its supplier list, or why none applies."""
    entry = snap.skus.get(sku_code)
    if entry is None:
        return _NO_SKU
    mode = snap.mode
    if mode == _BY_PRODUCT:
        chain = snap.sku_rules.get(sku_code)
        if chain:
            return _SKU, chain
        chain = snap.product_rules.get(entry.spu_code)
        if chain:
            return _PRODUCT, chain
        if snap.fallback_to_default and snap.default_supplier_pk is not None:
            return _DEFAULT, (snap.default_supplier_pk,)
        return _NO_RULE
    if mode == _WHOLE_STORE:
        if snap.default_supplier_pk is None:
            return _NO_RULE
        return _DEFAULT, (snap.default_supplier_pk,)
    return _MANUAL


class _Option(NamedTuple):
    supplier_pk: int
    source: Source
    position: int  # in the rule's supplier list


class _Plan(NamedTuple):
    """A SKU's rule compiled against supplier state and sources; only stock is left to check."""

    basis: str
    chain: tuple[int, ...]
    static_skips: tuple[str | None, ...]  # per chain position; None when it may be taken
    options: tuple[_Option, ...]  # the positions that may be taken, in order
    first: Decision  # the decision when options[0] has the stock


def _compile(snap: Snapshot, sku_code: str) -> _Plan | Decision:
    found = candidates(snap, sku_code)
    if isinstance(found, Decision):
        return found
    basis, chain = found
    sources = snap.skus[sku_code].sources
    whys: list[str | None] = []
    options: list[_Option] = []
    for index, supplier_pk in enumerate(chain):
        why = snap.suppliers.get(supplier_pk, _UNBOUND)
        source = sources.get(supplier_pk)
        if why == ELIGIBLE and source is None:
            why = _NO_SOURCE
        if why == ELIGIBLE and source is not None:
            whys.append(None)
            options.append(_Option(supplier_pk, source, index))
        else:
            whys.append(why)
    if not options:
        return Decision(None, _NONE_ELIGIBLE, basis,
                        tuple((pk, str(why)) for pk, why in zip(chain, whys, strict=True)))
    plan = _Plan(basis, chain, tuple(whys), tuple(options), _NO_RULE)
    return plan._replace(first=_taken(plan, options[0]))


def _taken(plan: _Plan, option: _Option) -> Decision:
    """The decision for `option`; the statically eligible ones before it ran out of stock."""
    index = option.position
    if index == 0:
        return Decision(option.supplier_pk, plan.basis, plan.basis, (), plan.chain[1:],
                        option.source)
    skipped = tuple((pk, why or _OUT) for pk, why in zip(plan.chain[:index],
                                                        plan.static_skips, strict=False))
    return Decision(option.supplier_pk, _BACKUP, plan.basis, skipped, plan.chain[index + 1:],
                    option.source)


def _plan_for(snap: Snapshot, sku_code: str) -> _Plan | Decision:
    plan = snap.plans.get(sku_code)
    if plan is None:
        plan = snap.plans[sku_code] = _compile(snap, sku_code)
    return plan


def resolve_line(snap: Snapshot, sku_code: str, quantity: int) -> Decision:
    """Route one line; takes the units from `snap.stock` when the chosen SKU tracks stock."""
    plan = snap.plans.get(sku_code) or _plan_for(snap, sku_code)
    if isinstance(plan, Decision):
        return plan
    stock = snap.stock
    for option in plan.options:
        source = option.source
        if source.tracked:
            have = stock.get(source.supply_sku_pk, 0)
            if have < quantity:
                continue
            stock[source.supply_sku_pk] = have - quantity
        return plan.first if option is plan.options[0] else _taken(plan, option)
    skipped = tuple((pk, why or _OUT) for pk, why in zip(plan.chain, plan.static_skips,
                                                         strict=True))
    return Decision(None, _NONE_ELIGIBLE, plan.basis, skipped)


def resolve(snap: Snapshot, lines: Iterable[tuple[str, int]]) -> list[Decision]:
    """Route the lines of one or more orders in turn (earlier lines take stock first)."""
    return [resolve_line(snap, sku_code, quantity) for sku_code, quantity in lines]


def manual_choice(snap: Snapshot, sku_code: str, supplier_pk: int) -> Decision:
    """A person's choice for a line, checked: supplier_pk is None when it is not possible.

    The reason is then the Skip (`unbound`, `suspended`, `no_source`) or `UNKNOWN_SKU`. Stock is
    not looked at here: the caller reserves it, which is the only check that holds under races.
    """
    entry = snap.skus.get(sku_code)
    if entry is None:
        return _NO_SKU
    state = snap.suppliers.get(supplier_pk, _UNBOUND)
    if state != ELIGIBLE:
        return Decision(None, state)
    source = entry.sources.get(supplier_pk)
    if source is None:
        return Decision(None, _NO_SOURCE)
    return Decision(supplier_pk, Reason.MANUAL.value, Reason.MANUAL.value, (), (), source)


def unit_price(source: Source, quantity: int) -> int:
    """The supply price for this quantity with the quantity tier applied."""
    return unit_price_for(quantity, source.supply_price_fen, source.price_tiers)


@dataclass(frozen=True)
class Proposal:
    """A rule set to try in a dry run, laid over the current one.

    A rule given with an empty supplier list removes that rule. Settings not given stay.
    """

    mode: str | None = None
    default_supplier_pk: int | None = None
    clear_default: bool = False
    fallback_to_default: bool | None = None
    product_rules: Mapping[str, Sequence[int]] = field(default_factory=dict)
    sku_rules: Mapping[str, Sequence[int]] = field(default_factory=dict)


def _merge(current: dict[str, tuple[int, ...]],
           proposed: Mapping[str, Sequence[int]]) -> dict[str, tuple[int, ...]]:
    merged = dict(current)
    for key, supplier_pks in proposed.items():
        if supplier_pks:
            merged[key] = tuple(supplier_pks)
        else:
            merged.pop(key, None)
    return merged


def apply_proposal(snap: Snapshot, proposal: Proposal) -> Snapshot:
    """A copy of the snapshot with the proposal laid over it (the original is untouched)."""
    changes: dict[str, Any] = {
        "product_rules": _merge(snap.product_rules, proposal.product_rules),
        "sku_rules": _merge(snap.sku_rules, proposal.sku_rules),
        "stock": dict(snap.stock),
        "plans": {},
    }
    if proposal.mode is not None:
        changes["mode"] = proposal.mode
    if proposal.clear_default:
        changes["default_supplier_pk"] = None
    elif proposal.default_supplier_pk is not None:
        changes["default_supplier_pk"] = proposal.default_supplier_pk
    if proposal.fallback_to_default is not None:
        changes["fallback_to_default"] = proposal.fallback_to_default
    return replace(snap, **changes)


def explain(decision: Decision, supplier_ids: Mapping[int, str]) -> dict[str, Any]:
    """A decision as JSON-ready data with public Supplier IDs, for storage and for people."""
    data: dict[str, Any] = {"reason": decision.reason}
    if decision.basis is not None:
        data["basis"] = decision.basis
    if decision.skipped:
        data["skipped"] = [{"supplier_id": supplier_ids.get(pk, str(pk)), "why": why}
                           for pk, why in decision.skipped]
    if decision.backups:
        data["backups"] = [supplier_ids.get(pk, str(pk)) for pk in decision.backups]
    return data
