"""Small helpers shared by the v1 routers."""

from __future__ import annotations

from fastapi import Query

from daifa.errors import ValidationFailed
from daifa.kit.pagination import CURSOR_PATTERN, MAX_LIMIT, BadCursor, clamp_limit, decode_cursor

INVALID_CURSOR = "INVALID_CURSOR"

# Declared on every list endpoint: `cursor: str | None = CursorQuery, limit: ... = LimitQuery`.
CursorQuery = Query(default=None, pattern=CURSOR_PATTERN, max_length=18,
                    description="next_cursor from the previous page")
LimitQuery = Query(default=None, ge=1, le=MAX_LIMIT, description="page size, default 50")


def paging(cursor: str | None, limit: int | None) -> tuple[int | None, int]:
    try:
        return decode_cursor(cursor), clamp_limit(limit)
    except BadCursor as exc:
        raise ValidationFailed(code=INVALID_CURSOR, fields="cursor") from exc
