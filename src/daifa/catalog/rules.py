"""Pure catalog decisions: tier prices, tier validation, money typed by people."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

MAX_TIERS = 10


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
        if tier["min_quantity"] < 2:
            return "min_quantity must be at least 2 (quantity 1 pays the supply price)"
        if tier["min_quantity"] <= previous:
            return "min_quantity must increase strictly from tier to tier"
        if tier["price_fen"] < 0:
            return "price_fen must not be negative"
        previous = tier["min_quantity"]
    return None


def yuan_to_fen(raw: str) -> int:
    """Yuan as people type them ('12.5', '¥1,234.50') to fen, Decimal ROUND_HALF_UP."""
    text = raw.strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"{raw!r} is not an amount in yuan") from exc
    if not value.is_finite():
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
