"""Reading what people type into console forms: yuan, counts, price tiers, rows of inputs.

Only the reading lives here; what is allowed is the domain schemas' business. A value that
cannot be read becomes the domain's VALIDATION_FAILED naming the field, like a bad schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from daifa.catalog.rules import yuan_to_fen
from daifa.errors import ValidationFailed
from daifa.kit.pagination import BadCursor, decode_cursor


def cursor_key(raw: str) -> int | None:
    """A cursor from a console link; one the console never gave out means the first page."""
    try:
        return decode_cursor(raw or None)
    except BadCursor:
        return None


def invalid(field: str) -> ValidationFailed:
    return ValidationFailed(fields=field)


def fen(raw: str, field: str) -> int:
    """Yuan as typed (12.5, ¥1,234.50) to fen; required."""
    try:
        value = yuan_to_fen(raw)
    except ValueError as exc:
        raise invalid(field) from exc
    if value < 0:
        raise invalid(field)
    return value


def optional_int(raw: str, field: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit():
        raise invalid(field)
    return int(text)


def tiers(raw: str, field: str) -> list[dict[str, int]]:
    """`10:18.50, 50:16` (from 10 units 18.50 yuan each, from 50 units 16) as tier dicts."""
    found = []
    for part in raw.replace("，", ",").replace("；", ",").replace(";", ",").split(","):
        if not part.strip():
            continue
        quantity, sep, price = part.replace("：", ":").partition(":")
        if not sep or not quantity.strip().isdigit():
            raise invalid(field)
        found.append({"min_quantity": int(quantity.strip()), "price_fen": fen(price, field)})
    return found


def yuan_text(value: int | None) -> str:
    """Fen as a form shows yuan again: 1250 → 12.50."""
    if value is None:
        return ""
    return f"{value // 100}.{value % 100:02d}"


def tiers_text(tiers_doc: Sequence[Any]) -> str:
    """Tiers (dicts or PriceTier models) as the form shows them again."""
    parts = []
    for tier in tiers_doc:
        data = tier if isinstance(tier, dict) else tier.model_dump()
        parts.append(f"{data['min_quantity']}:{yuan_text(int(data['price_fen']))}")
    return ", ".join(parts)


def rows(columns: dict[str, Sequence[str]]) -> list[dict[str, str]]:
    """Parallel lists of inputs (one per column, one entry per row) as rows; blank rows go."""
    length = max((len(values) for values in columns.values()), default=0)
    found = []
    for index in range(length):
        row = {name: (values[index] if index < len(values) else "").strip()
               for name, values in columns.items()}
        if any(row.values()):
            found.append(row)
    return found


def day_start(raw: str, zone: ZoneInfo, *, plus_days: int = 0) -> datetime | None:
    """A YYYY-MM-DD date typed in the display zone as the UTC start of that day (+ days)."""
    if not raw.strip():
        return None
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise invalid("date") from exc
    start = datetime.combine(day + timedelta(days=plus_days), time(0), tzinfo=zone)
    return start.astimezone(UTC)
