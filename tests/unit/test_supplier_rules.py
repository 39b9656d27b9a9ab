"""What a person typed where a Supplier ID or a phone number belongs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from daifa.db.base import UtcDateTime
from daifa.kit import ids
from daifa.kit.clock import FrozenClock, SystemClock, as_utc
from daifa.suppliers.errors import InvalidPhone, InvalidSupplierId, NotASupplierId
from daifa.suppliers.rules import EXAMPLE_ID, normalise_phone, parse_supplier_ref


def test_the_example_in_messages_is_itself_valid() -> None:
    assert ids.is_valid_supplier_id(EXAMPLE_ID)


def test_a_shop_id_message_says_what_to_do_instead() -> None:
    with pytest.raises(NotASupplierId) as raised:
        parse_supplier_ref(" sh1234567890 ")
    assert raised.value.status == 422
    assert "SH1234567890 is a Shop ID" in raised.value.detail
    assert "starts with SP" in raised.value.detail


def test_a_typo_message_asks_to_check_for_typos() -> None:
    typo = EXAMPLE_ID[:-1] + ("Z" if EXAMPLE_ID[-1] != "Z" else "Y")
    with pytest.raises(InvalidSupplierId) as raised:
        parse_supplier_ref(typo)
    assert raised.value.status == 422
    assert "check the ID for typos" in raised.value.detail
    assert EXAMPLE_ID in raised.value.detail


@pytest.mark.parametrize(("raw", "e164"), [
    ("13812345678", "+8613812345678"), ("138 1234 5678", "+8613812345678"),
    ("+86 138-1234-5678", "+8613812345678"), ("0571 8888 6666", "+8657188886666"),
    ("+852 6123 4567", "+85261234567"),
])
def test_phones_are_stored_in_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "abc", "12345", "138123456789999", "+1 555 0100"])
def test_bad_phones_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhone) as raised:
        normalise_phone(raw)
    assert raised.value.code == "INVALID_PHONE" and raised.value.status == 422


def test_a_frozen_clock_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.now() == clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    clock.advance(timedelta(hours=1))
    assert clock.now() == datetime(2026, 1, 1, 1, tzinfo=UTC)
    assert SystemClock().now().tzinfo is not None


def test_stored_times_are_utc() -> None:
    column = UtcDateTime()
    local = datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8)))
    on_sqlite, on_postgres = sqlite.dialect(), postgresql.dialect()
    stored = column.process_bind_param(local, on_sqlite)
    assert stored == datetime(2026, 1, 1, 0)  # naive on SQLite, always UTC
    assert column.process_bind_param(local, on_postgres) == datetime(2026, 1, 1, tzinfo=UTC)
    assert column.process_result_value(stored, on_sqlite) == datetime(2026, 1, 1, tzinfo=UTC)
    assert as_utc(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 1, 1), on_sqlite)
