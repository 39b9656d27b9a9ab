"""Opaque cursors: what goes out comes back; anything else is a BadCursor, never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daifa.kit.pagination import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    BadCursor,
    Page,
    clamp_limit,
    decode_cursor,
    encode_cursor,
)

BIGINT_MAX = 2**63 - 1


@given(st.integers(min_value=0, max_value=10**18 - 1))
def test_round_trip(key: int) -> None:
    cursor = encode_cursor(key)
    assert cursor and cursor.isascii() and "=" not in cursor and "&" not in cursor
    assert decode_cursor(cursor) == key


@pytest.mark.parametrize("empty", [None, ""])
def test_no_cursor_means_from_the_start(empty: str | None) -> None:
    assert decode_cursor(empty) is None


@pytest.mark.parametrize("bad", [
    "!!!", "a", "====", "-1", "1.5", " 1", "1 ", "١٢", "9" * 5000, str(BIGINT_MAX + 1) + "0",
    "é", "\x00",
])
def test_bad_cursors(bad: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(bad)


@given(st.text(max_size=60))
def test_any_text_is_a_key_or_a_bad_cursor(text: str) -> None:
    try:
        key = decode_cursor(text)
    except BadCursor:
        return
    assert key is None or 0 <= key <= BIGINT_MAX


@pytest.mark.parametrize(("given_limit", "limit"), [
    (None, DEFAULT_LIMIT), (0, 1), (-5, 1), (1, 1), (MAX_LIMIT, MAX_LIMIT),
    (MAX_LIMIT + 1, MAX_LIMIT),
])
def test_clamp_limit(given_limit: int | None, limit: int) -> None:
    assert clamp_limit(given_limit) == limit


def test_a_full_page_offers_a_next_cursor() -> None:
    page = Page.of([(3, "c"), (7, "d")], limit=2)
    assert page.items == ["c", "d"]
    assert page.next_cursor() is not None
    assert decode_cursor(page.next_cursor()) == 7


def test_a_short_page_is_the_last() -> None:
    page = Page.of([(3, "c")], limit=2)
    assert page.next_key is None and page.next_cursor() is None
    assert Page.of([], limit=2).next_cursor() is None
