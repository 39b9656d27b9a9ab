"""Property: every line ends with an eligible supplier (bound, active, mapped, in stock) or
unassigned with a reason; never with an unbound, suspended or out-of-stock one."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from daifa.routing.rules import (
    ELIGIBLE,
    Reason,
    ShopSkuEntry,
    Skip,
    Snapshot,
    Source,
    Unassigned,
    resolve_line,
)

SUPPLIERS = [1, 2, 3, 4, 5]
SKUS = ["K1", "K2", "K3"]
SPUS = ["P1", "P2"]
states = st.sampled_from([ELIGIBLE, ELIGIBLE, Skip.UNBOUND.value, Skip.SUSPENDED.value])
chains = st.lists(st.sampled_from(SUPPLIERS), min_size=1, max_size=4, unique=True).map(tuple)


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    snap = Snapshot(
        mode=draw(st.sampled_from(["manual", "whole_store", "by_product"])),
        default_supplier_pk=draw(st.none() | st.sampled_from(SUPPLIERS)),
        fallback_to_default=draw(st.booleans()),
        suppliers={pk: draw(states) for pk in SUPPLIERS if draw(st.booleans()) or pk < 4},
    )
    for number, sku in enumerate(SKUS):
        sources = {}
        for pk in draw(st.lists(st.sampled_from(SUPPLIERS), unique=True)):
            supply_pk = number * 10 + pk
            tracked = draw(st.booleans())
            sources[pk] = Source(supply_pk, f"{sku}-{pk}", 100, (), tracked)
            if tracked:
                snap.stock[supply_pk] = draw(st.integers(0, 6))
        snap.skus[sku] = ShopSkuEntry(number + 1, draw(st.sampled_from(SPUS)), sources)
        if draw(st.booleans()):
            snap.sku_rules[sku] = draw(chains)
    for spu in SPUS:
        if draw(st.booleans()):
            snap.product_rules[spu] = draw(chains)
    return snap


lines = st.lists(st.tuples(st.sampled_from([*SKUS, "UNKNOWN"]), st.integers(1, 4)),
                 min_size=1, max_size=12)


def expected_chain(snap: Snapshot, sku: str) -> tuple[int, ...]:
    if snap.mode == "whole_store":
        return (snap.default_supplier_pk,) if snap.default_supplier_pk else ()
    if snap.mode != "by_product":
        return ()
    spu = snap.skus[sku].spu_code
    chain = snap.sku_rules.get(sku) or snap.product_rules.get(spu)
    if chain:
        return chain
    if snap.fallback_to_default and snap.default_supplier_pk:
        return (snap.default_supplier_pk,)
    return ()


def why_not(snap: Snapshot, stock: dict[int, int], sku: str, pk: int, qty: int) -> str | None:
    """The reason a supplier cannot take the line right now, or None when it can."""
    state = snap.suppliers.get(pk, Skip.UNBOUND.value)
    if state != ELIGIBLE:
        return state
    source = snap.skus[sku].sources.get(pk)
    if source is None:
        return Skip.NO_SOURCE.value
    if source.tracked and stock.get(source.supply_sku_pk, 0) < qty:
        return Skip.OUT_OF_STOCK.value
    return None


@settings(max_examples=400, deadline=None)
@given(snapshots(), lines)
def test_every_line_gets_an_eligible_supplier_or_a_reason(snap: Snapshot,
                                                          order: list[tuple[str, int]]) -> None:
    stock = dict(snap.stock)  # our own bookkeeping, independent of the resolver's
    for sku, qty in order:
        decision = resolve_line(snap, sku, qty)
        if sku == "UNKNOWN":
            assert decision.reason == Unassigned.UNKNOWN_SKU
            continue
        chain = expected_chain(snap, sku)
        tried = chain if decision.supplier_pk is None else chain[:chain.index(
            decision.supplier_pk)]
        assert decision.skipped == tuple((pk, why_not(snap, stock, sku, pk, qty))
                                         for pk in tried)
        if decision.supplier_pk is None:
            assert decision.reason in set(Unassigned)
            assert decision.reason != Unassigned.NO_ELIGIBLE_SUPPLIER or chain
            continue
        assert why_not(snap, stock, sku, decision.supplier_pk, qty) is None
        assert decision.reason in set(Reason)
        assert (decision.reason == Reason.BACKUP) == bool(decision.skipped)
        source = snap.skus[sku].sources[decision.supplier_pk]
        assert decision.source == source
        if source.tracked:
            stock[source.supply_sku_pk] -= qty
        assert snap.stock == stock
        assert min(stock.values(), default=0) >= 0
