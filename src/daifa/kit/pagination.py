"""Opaque cursors for keyset pagination over an increasing integer key."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class BadCursor(ValueError):
    pass


# A cursor is the last key seen, in decimal. The API declares this pattern, so every cursor a
# client can send that passes validation means something.
CURSOR_PATTERN = r"^[0-9]{1,18}$"


def encode_cursor(last_key: int) -> str:
    return str(last_key)


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise BadCursor(cursor)
    return int(cursor)


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    return max(1, min(MAX_LIMIT, limit))


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_key: int | None  # the key to continue after, when there may be more

    @classmethod
    def of(cls, keyed: Sequence[tuple[int, T]], limit: int) -> Page[T]:
        items = [item for _, item in keyed]
        next_key = keyed[-1][0] if len(keyed) == limit else None
        return cls(items, next_key)

    def next_cursor(self) -> str | None:
        return None if self.next_key is None else encode_cursor(self.next_key)
