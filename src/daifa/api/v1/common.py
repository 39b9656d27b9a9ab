"""Small helpers shared by the v1 routers."""

from __future__ import annotations

from daifa.errors import ValidationFailed
from daifa.kit.pagination import BadCursor, clamp_limit, decode_cursor


def paging(cursor: str | None, limit: int | None) -> tuple[int | None, int]:
    try:
        return decode_cursor(cursor), clamp_limit(limit)
    except BadCursor as exc:
        raise ValidationFailed("cursor: not a cursor this API gave out",
                               code="INVALID_CURSOR") from exc
