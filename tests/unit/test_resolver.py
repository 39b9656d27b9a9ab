"""The routing resolver, as a table of rules (pure: no database)."""

from __future__ import annotations

from typing import Any

import pytest

from daifa.routing.rules import (
    ELIGIBLE,
    Decision,
    Proposal,
    ShopSkuEntry,
    Skip,
    Snapshot,
    Source,
    apply_proposal,
    explain,
    manual_choice,
    resolve,
    resolve_line,
    unit_price,
)

A, B, C, D = 1, 2, 3, 4


def src(supplier_pk: int, *, tracked: bool = False, tiers: Any = ()) -> Source:
    return Source(supply_sku_pk=100 + supplier_pk, supplier_sku_code=f"S{supplier_pk}",
                  supply_price_fen=1000, price_tiers=tiers, tracked=tracked)


def snap(mode: str = "by_product", *, default: int | None = None, fallback: bool = False,
         sources: tuple[int, ...] = (A, B, C, D), sku_rule: tuple[int, ...] = (),
         product_rule: tuple[int, ...] = (), suppliers: dict[int, str] | None = None,
         stock: dict[int, int] | None = None, tracked: bool = False) -> Snapshot:
    entry = ShopSkuEntry(1, "SPU1", {pk: src(pk, tracked=tracked) for pk in sources})
    return Snapshot(
        mode=mode, default_supplier_pk=default, fallback_to_default=fallback,
        skus={"SKU1": entry},
        sku_rules={"SKU1": sku_rule} if sku_rule else {},
        product_rules={"SPU1": product_rule} if product_rule else {},
        suppliers=suppliers if suppliers is not None else dict.fromkeys((A, B, C, D), ELIGIBLE),
        stock=stock or {},
    )


def one(s: Snapshot, quantity: int = 1, sku: str = "SKU1") -> Decision:
    return resolve_line(s, sku, quantity)


def test_sku_rule_beats_product_rule() -> None:
    d = one(snap(sku_rule=(B,), product_rule=(A,)))
    assert (d.supplier_pk, d.reason, d.basis, d.skipped) == (B, "sku_rule", "sku_rule", ())


def test_product_rule_applies_without_sku_rule() -> None:
    d = one(snap(product_rule=(A, B, C)))
    assert (d.supplier_pk, d.reason, d.backups) == (A, "product_rule", (B, C))


def test_line_without_rule_waits_when_no_fallback() -> None:
    d = one(snap(default=A, fallback=False))
    assert (d.supplier_pk, d.reason) == (None, "NO_RULE")


def test_fallback_sends_line_without_rule_to_store_default() -> None:
    d = one(snap(default=C, fallback=True))
    assert (d.supplier_pk, d.reason, d.basis) == (C, "store_default", "store_default")


def test_fallback_without_default_supplier_waits() -> None:
    assert one(snap(fallback=True)).reason == "NO_RULE"


def test_manual_mode_leaves_every_line_waiting() -> None:
    d = one(snap("manual", default=A, sku_rule=(A,)))
    assert (d.supplier_pk, d.reason) == (None, "MANUAL_MODE")


def test_whole_store_sends_every_line_to_default_ignoring_rules() -> None:
    d = one(snap("whole_store", default=D, sku_rule=(A,), product_rule=(B,)))
    assert (d.supplier_pk, d.reason) == (D, "store_default")


def test_whole_store_without_source_for_default_waits_with_reason() -> None:
    d = one(snap("whole_store", default=D, sources=(A,)))
    assert (d.supplier_pk, d.reason, d.skipped) == (None, "NO_ELIGIBLE_SUPPLIER",
                                                    ((D, "no_source"),))


def test_whole_store_without_default_waits() -> None:
    assert one(snap("whole_store")).reason == "NO_RULE"


def test_unknown_sku_is_kept_unassigned() -> None:
    d = one(snap(product_rule=(A,)), sku="NOPE")
    assert (d.supplier_pk, d.reason) == (None, "UNKNOWN_SKU")


def test_unknown_sku_in_manual_mode_says_unknown_sku() -> None:
    assert one(snap("manual"), sku="NOPE").reason == "UNKNOWN_SKU"


def test_backup_used_when_first_suspended() -> None:
    states = {A: Skip.SUSPENDED.value, B: ELIGIBLE}
    d = one(snap(product_rule=(A, B), suppliers=states))
    assert (d.supplier_pk, d.reason, d.basis, d.skipped) == (
        B, "backup", "product_rule", ((A, "suspended"),))


def test_backup_used_when_first_unbound() -> None:
    d = one(snap(sku_rule=(A, B), suppliers={B: ELIGIBLE}))
    assert (d.supplier_pk, d.reason, d.basis, d.skipped) == (
        B, "backup", "sku_rule", ((A, "unbound"),))


def test_backup_used_when_first_has_no_source() -> None:
    d = one(snap(sku_rule=(A, B), sources=(B,)))
    assert (d.supplier_pk, d.skipped) == (B, ((A, "no_source"),))


def test_backup_used_when_first_out_of_stock() -> None:
    d = one(snap(sku_rule=(A, B), tracked=True, stock={101: 1, 102: 5}), quantity=2)
    assert (d.supplier_pk, d.reason, d.skipped) == (B, "backup", ((A, "out_of_stock"),))


def test_second_backup_records_every_skip_in_order() -> None:
    states = {A: Skip.SUSPENDED.value, B: ELIGIBLE, C: ELIGIBLE}
    d = one(snap(product_rule=(A, B, C), suppliers=states, tracked=True,
                 stock={102: 0, 103: 9}))
    assert (d.supplier_pk, d.skipped, d.backups) == (
        C, ((A, "suspended"), (B, "out_of_stock")), ())


def test_no_eligible_supplier_when_every_choice_is_skipped() -> None:
    states = {A: Skip.SUSPENDED.value, C: ELIGIBLE}
    d = one(snap(product_rule=(A, B, C), suppliers=states, sources=(A, B)))
    assert (d.supplier_pk, d.reason, d.basis) == (None, "NO_ELIGIBLE_SUPPLIER", "product_rule")
    assert d.skipped == ((A, "suspended"), (B, "unbound"), (C, "no_source"))


def test_untracked_stock_never_runs_out() -> None:
    d = one(snap(sku_rule=(A,)), quantity=10_000)
    assert d.supplier_pk == A


def test_stock_is_taken_by_earlier_lines_of_the_same_order() -> None:
    s = snap(sku_rule=(A, B), tracked=True, stock={101: 3, 102: 3})
    first, second = resolve(s, [("SKU1", 2), ("SKU1", 2)])
    assert (first.supplier_pk, second.supplier_pk, second.skipped) == (
        A, B, ((A, "out_of_stock"),))
    assert s.stock == {101: 1, 102: 1}


def test_exact_stock_is_enough() -> None:
    s = snap(sku_rule=(A,), tracked=True, stock={101: 2})
    assert one(s, quantity=2).supplier_pk == A
    assert one(s, quantity=1).reason == "NO_ELIGIBLE_SUPPLIER"


def test_chosen_decision_names_remaining_backups_for_rerouting() -> None:
    d = one(snap(sku_rule=(A, B, C)))
    assert d.backups == (B, C)


def test_manual_choice_needs_eligible_supplier_with_source() -> None:
    s = snap(suppliers={A: ELIGIBLE, B: Skip.SUSPENDED.value}, sources=(B, C))
    assert manual_choice(s, "SKU1", A).reason == "no_source"
    assert manual_choice(s, "SKU1", B).reason == "suspended"
    assert manual_choice(s, "SKU1", C).reason == "unbound"
    assert manual_choice(s, "NOPE", A).reason == "UNKNOWN_SKU"


def test_manual_choice_of_eligible_supplier_has_reason_manual() -> None:
    d = manual_choice(snap("manual"), "SKU1", B)
    assert (d.supplier_pk, d.reason, d.source) == (B, "manual", src(B))


def test_quantity_tier_sets_unit_price() -> None:
    tiered = src(A, tiers=[{"min_quantity": 10, "price_fen": 900},
                           {"min_quantity": 50, "price_fen": 800}])
    assert [unit_price(tiered, q) for q in (1, 9, 10, 49, 50, 500)] == [
        1000, 1000, 900, 900, 800, 800]


def test_proposal_overrides_rules_and_removes_empty_ones() -> None:
    current = snap(sku_rule=(A,), product_rule=(B,))
    proposed = apply_proposal(current, Proposal(sku_rules={"SKU1": []},
                                                product_rules={"SPU1": [C]}))
    assert one(proposed).supplier_pk == C
    assert one(current).supplier_pk == A  # the original is untouched


def test_proposal_switches_mode_and_default() -> None:
    proposed = apply_proposal(snap("manual"), Proposal(mode="whole_store",
                                                       default_supplier_pk=D))
    assert (one(proposed).supplier_pk, one(proposed).reason) == (D, "store_default")


def test_explain_uses_public_supplier_ids() -> None:
    d = one(snap(product_rule=(A, B, C), suppliers={B: ELIGIBLE, C: ELIGIBLE}))
    ids = {A: "SPAAAAAAA", B: "SPBBBBBBB", C: "SPCCCCCCC"}
    assert explain(d, ids) == {
        "reason": "backup", "basis": "product_rule",
        "skipped": [{"supplier_id": "SPAAAAAAA", "why": "unbound"}],
        "backups": ["SPCCCCCCC"],
    }


@pytest.mark.parametrize("mode", ["manual", "whole_store", "by_product"])
def test_same_sku_twice_gives_same_decision(mode: str) -> None:
    s = snap(mode, default=A, product_rule=(B,))
    assert one(s) == one(s)
