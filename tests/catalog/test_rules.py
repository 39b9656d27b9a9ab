"""Pure catalog rules: tier prices, tier checks, yuan to fen, mapping suggestions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daifa.catalog.rules import (
    SkuFacts,
    normalise_spec,
    suggest_mappings,
    tier_problem,
    unit_price_for,
    yuan_to_fen,
)

TIERS = [{"min_quantity": 10, "price_fen": 900}, {"min_quantity": 50, "price_fen": 800}]


@pytest.mark.parametrize(("quantity", "price"), [
    (1, 1000), (9, 1000), (10, 900), (49, 900), (50, 800), (10_000, 800)])
def test_the_largest_tier_not_above_the_quantity_applies(quantity: int, price: int) -> None:
    assert unit_price_for(quantity, 1000, TIERS) == price


def test_no_tiers_means_the_supply_price() -> None:
    assert unit_price_for(500, 1234, []) == 1234


def test_tier_order_in_storage_does_not_matter() -> None:
    assert unit_price_for(60, 1000, list(reversed(TIERS))) == 800


increasing_tiers = st.lists(
    st.tuples(st.integers(2, 10_000), st.integers(0, 100_000)), max_size=10,
    unique_by=lambda t: t[0],
).map(lambda pairs: [{"min_quantity": q, "price_fen": p} for q, p in sorted(pairs)])


@given(quantity=st.integers(1, 20_000), base=st.integers(0, 100_000), tiers=increasing_tiers)
def test_the_price_is_the_base_or_one_of_the_tier_prices(
        quantity: int, base: int, tiers: list[dict[str, int]]) -> None:
    price = unit_price_for(quantity, base, tiers)
    assert price in {base, *(t["price_fen"] for t in tiers)}
    eligible = [t for t in tiers if t["min_quantity"] <= quantity]
    assert price == (eligible[-1]["price_fen"] if eligible else base)


@given(base=st.integers(0, 100_000), tiers=increasing_tiers, a=st.integers(1, 20_000),
       b=st.integers(1, 20_000))
def test_the_price_never_rises_with_quantity_when_tiers_fall(
        base: int, tiers: list[dict[str, int]], a: int, b: int) -> None:
    prices = sorted((t["price_fen"] for t in tiers), reverse=True)
    falling = [{"min_quantity": t["min_quantity"], "price_fen": min(p, base)}
               for t, p in zip(tiers, prices, strict=True)]
    low, high = sorted((a, b))
    assert unit_price_for(high, base, falling) <= unit_price_for(low, base, falling)


@pytest.mark.parametrize(("tiers", "problem"), [
    ([], None),
    ([{"min_quantity": 2, "price_fen": 1}], None),
    ([{"min_quantity": 1, "price_fen": 1}], "min_quantity must be at least 2"),
    ([{"min_quantity": 5, "price_fen": 1}, {"min_quantity": 5, "price_fen": 1}], "strictly"),
    ([{"min_quantity": 5, "price_fen": 1}, {"min_quantity": 3, "price_fen": 1}], "strictly"),
    ([{"min_quantity": 5, "price_fen": -1}], "negative"),
    ([{"min_quantity": q, "price_fen": 1} for q in range(2, 14)], "at most 10"),
])
def test_tier_problems(tiers: list[dict[str, int]], problem: str | None) -> None:
    found = tier_problem(tiers)
    assert (found is None) if problem is None else (found is not None and problem in found)


@pytest.mark.parametrize(("raw", "fen"), [
    ("12", 1200), ("12.5", 1250), ("12.345", 1235), ("0.005", 1), ("0.004", 0),
    ("¥1,234.50", 123450), ("￥ 3", 300), ("  7.10 ", 710), ("2.675", 268)])
def test_yuan_to_fen_rounds_half_up(raw: str, fen: int) -> None:
    assert yuan_to_fen(raw) == fen


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "NaN", "Infinity"])
def test_yuan_to_fen_refuses_non_amounts(raw: str) -> None:
    with pytest.raises(ValueError):
        yuan_to_fen(raw)


def test_spec_comparison_ignores_case_spaces_and_separators() -> None:
    assert normalise_spec(" Red / XL ") == normalise_spec("red；xl") == "redxl"


def _facts(spu: str, *codes: str, specs: tuple[str, ...] = ()) -> list[SkuFacts]:
    return [SkuFacts(spu, code, specs[i] if i < len(specs) else "", i)
            for i, code in enumerate(codes)]


def test_identical_sku_code_beats_everything() -> None:
    shop = _facts("P", "A", "B", specs=("红", "蓝"))
    supplier = _facts("Q", "B", "A", specs=("红", "蓝"))
    matches = suggest_mappings(shop, supplier)
    assert [(m.shop_sku.sku_code, m.supplier_sku.sku_code, m.match) for m in matches] == [
        ("A", "A", "sku_code"), ("B", "B", "sku_code")]


def test_same_product_code_and_attributes() -> None:
    shop = _facts("P", "S1", "S2", specs=("红色/M", "红色/L"))
    supplier = _facts("P", "X1", "X2", "X3", specs=("红色/L", "红色/M", "红色/S"))
    matches = suggest_mappings(shop, supplier)
    assert [(m.shop_sku.sku_code, m.supplier_sku.sku_code, m.match) for m in matches] == [
        ("S1", "X2", "spec"), ("S2", "X1", "spec")]


def test_ambiguous_attributes_fall_back_to_position_only_with_equal_counts() -> None:
    shop = _facts("P", "S1", "S2", specs=("红", "红"))
    supplier = _facts("P", "X1", "X2", specs=("红", "红"))
    assert [(m.supplier_sku.sku_code, m.match) for m in suggest_mappings(shop, supplier)] == [
        ("X1", "position"), ("X2", "position")]
    assert suggest_mappings(shop, supplier[:1]) == []


def test_mapped_skus_and_other_products_are_left_alone() -> None:
    shop = _facts("P", "S1", "S2")
    supplier = _facts("P", "X1", "X2") + _facts("OTHER", "S9")
    matches = suggest_mappings(shop, supplier, mapped={"S1"})
    assert [(m.shop_sku.sku_code, m.supplier_sku.sku_code) for m in matches] == [("S2", "X2")]
    assert suggest_mappings(_facts("Z", "S1"), supplier) == []
