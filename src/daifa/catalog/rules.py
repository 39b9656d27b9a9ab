"""Pure catalog decisions: tier prices, tier validation, money typed by people."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

MAX_TIERS = 10
MIN_TIER_QUANTITY = 2  # quantity 1 pays the supply price
MatchKind = Literal["sku_code", "spec", "position"]


def unit_price_for(quantity: int, supply_price_fen: int,
                   price_tiers: Sequence[Mapping[str, Any]]) -> int:
    """The price of the tier with the largest min_quantity ≤ quantity, else the base price."""
    best_min = 0
    price = supply_price_fen
    for tier in price_tiers:
        min_quantity = int(tier["min_quantity"])
        if best_min < min_quantity <= quantity:
            best_min = min_quantity
            price = int(tier["price_fen"])
    return price


def tier_problem(price_tiers: Sequence[Mapping[str, int]]) -> str | None:
    """Why a tier list is unacceptable, or None: min_quantity ≥ 2, strictly increasing."""
    if len(price_tiers) > MAX_TIERS:
        return f"at most {MAX_TIERS} price tiers"
    previous = 1
    for tier in price_tiers:
        if tier["min_quantity"] < MIN_TIER_QUANTITY:
            return "min_quantity must be at least 2 (quantity 1 pays the supply price)"
        if tier["min_quantity"] <= previous:
            return "min_quantity must increase strictly from tier to tier"
        if tier["price_fen"] < 0:
            return "price_fen must not be negative"
        previous = tier["min_quantity"]
    return None


# Far above any price (fen are checked against their own limits after this), far below what
# Decimal's context can quantize (1e308 yuan would raise instead of rounding).
MAX_YUAN = Decimal(10**15)


def yuan_to_fen(raw: str) -> int:
    """Yuan as people type them ('12.5', '¥1,234.50') to fen, Decimal ROUND_HALF_UP."""
    text = raw.strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{raw!r} is not an amount in yuan") from exc
    if not value.is_finite() or abs(value) >= MAX_YUAN:
        raise ValueError(f"{raw!r} is not an amount in yuan")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def normalise_code(raw: str) -> str:
    """Codes are compared as typed, minus surrounding spaces."""
    return raw.strip()


def normalise_spec(raw: str) -> str:
    """Attributes compared loosely: case, spaces and the usual separators do not matter."""
    text = raw.strip().lower()
    for sep in (" ", "　", ";", "；", ",", "，", "/", "|"):
        text = text.replace(sep, "")
    return text


@dataclass(frozen=True)
class SkuFacts:
    """What the mapping helper compares: codes, attributes and place within the product."""

    spu_code: str
    sku_code: str
    spec: str = ""
    position: int = 0


@dataclass(frozen=True)
class Match:
    shop_sku: SkuFacts
    supplier_sku: SkuFacts
    match: MatchKind


def suggest_mappings(shop_skus: Sequence[SkuFacts], supplier_skus: Sequence[SkuFacts],
                     mapped: Collection[str] = ()) -> list[Match]:
    """Propose one supplier SKU for each shop SKU not in `mapped`, strongest evidence first.

    1. the identical SKU code; 2. the identical product code and the same attributes (when
    exactly one SKU of that product on each side has them); 3. the identical product code and the
    same place in the product, when both products have the same number of SKUs. `shop_skus`
    holds every SKU of the shop's products, so places can be compared.
    """
    by_code = {s.sku_code: s for s in supplier_skus}
    supplier_products = _by_product(supplier_skus)
    shop_products = _by_product(shop_skus)
    found = []
    for shop_sku in shop_skus:
        if shop_sku.sku_code in mapped:
            continue
        if shop_sku.sku_code in by_code:
            found.append(Match(shop_sku, by_code[shop_sku.sku_code], "sku_code"))
            continue
        siblings = supplier_products.get(shop_sku.spu_code, [])
        shop_siblings = shop_products[shop_sku.spu_code]
        match = _by_spec(shop_sku, shop_siblings, siblings) or _by_place(
            shop_sku, shop_siblings, siblings)
        if match is not None:
            found.append(match)
    return found


def _by_product(skus: Sequence[SkuFacts]) -> dict[str, list[SkuFacts]]:
    """SKUs per product code, each list in place order."""
    grouped: dict[str, list[SkuFacts]] = {}
    for sku in skus:
        grouped.setdefault(sku.spu_code, []).append(sku)
    for members in grouped.values():
        members.sort(key=lambda s: (s.position, s.sku_code))
    return grouped


def _by_spec(shop_sku: SkuFacts, shop_siblings: Sequence[SkuFacts],
             siblings: Sequence[SkuFacts]) -> Match | None:
    """Attributes that name exactly one SKU on each side."""
    spec = normalise_spec(shop_sku.spec)
    if not spec or sum(normalise_spec(s.spec) == spec for s in shop_siblings) != 1:
        return None
    same = [s for s in siblings if normalise_spec(s.spec) == spec]
    return Match(shop_sku, same[0], "spec") if len(same) == 1 else None


def _by_place(shop_sku: SkuFacts, shop_siblings: Sequence[SkuFacts],
              siblings: Sequence[SkuFacts]) -> Match | None:
    if not siblings or len(siblings) != len(shop_siblings):
        return None
    return Match(shop_sku, siblings[shop_siblings.index(shop_sku)], "position")
