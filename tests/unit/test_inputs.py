"""What no input may hold (kit.inputs), as a table of cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from daifa.kit import inputs
from daifa.orders.rules import paid_at_plausible


@pytest.mark.parametrize("value, problem", [
    ({"a": [1, "x", None, 1.5, True]}, None),
    (2**63 - 1, None),
    (-(2**63), None),
    (2**63, inputs.Problem("integer", "body")),
    ({"a": [0, -(2**63) - 1]}, inputs.Problem("integer", "body.a.1")),
    ({"name": "a\x00b"}, inputs.Problem("text", "body.name")),
    ({"k\x00": 1}, inputs.Problem("text", "body.k\x00")),
    (["\ud800"], inputs.Problem("text", "body.0")),
    (["😀 张三"], None),
])
def test_first_problem(value: Any, problem: inputs.Problem | None) -> None:
    assert inputs.first_problem(value) == problem


def test_nesting_deeper_than_the_limit_is_a_problem() -> None:
    deep: Any = 1
    for _ in range(inputs.MAX_DEPTH):
        deep = [deep]
    assert inputs.first_problem(deep) is None
    found = inputs.first_problem([deep])
    assert found is not None and found.kind == "depth"


@pytest.mark.parametrize("raw, suspect", [
    (b'{"a": "plain \\u5f20"}', False),
    (b'{"a": "\\u0000"}', True),
    (b'{"a": "\\uD83D\\uDE00"}', True),  # a pair: the walk tells it from a lone one
    (b'{"a": "\xed\xa0\x80"}', True),
    ('{"a": "张三 😀"}'.encode(), False),
])
def test_bodies_that_may_hold_bad_text(raw: bytes, suspect: bool) -> None:
    assert inputs.may_hold_bad_text(raw) is suspect


class _Model(BaseModel):
    at: inputs.Instant
    n: inputs.Int = 0
    flag: inputs.Flag = False


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                "1969-12-31T23:59:59Z", "3000-01-01T00:00:00Z"])
def test_instants_out_of_range(at: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _Model.model_validate({"at": at})
    assert caught.value.errors()[0]["type"] == "date_out_of_range"


def test_instants_come_back_in_utc() -> None:
    value = _Model.model_validate({"at": "2026-11-25T10:00:00+08:00"}).at
    assert value == datetime(2026, 11, 25, 2, tzinfo=UTC) and value.tzinfo is UTC


@pytest.mark.parametrize("field, value, good", [
    ("n", 3, True), ("n", "3", True), ("n", True, False), ("n", 3.0, False),
    ("n", 2**63, False), ("flag", True, True), ("flag", "true", True), ("flag", 1, False),
    ("flag", 0, False),
])
def test_integers_and_flags_are_not_each_other(field: str, value: Any, good: bool) -> None:
    data = {"at": "2026-11-25T10:00:00Z", field: value}
    if good:
        _Model.model_validate(data)
    else:
        with pytest.raises(ValidationError):
            _Model.model_validate(data)


NOW = datetime(2026, 11, 25, 2, tzinfo=UTC)


@pytest.mark.parametrize("paid_at, plausible", [
    (None, True), (NOW, True), (NOW + timedelta(minutes=10), True),
    (NOW + timedelta(minutes=11), False), (NOW - timedelta(days=90), True),
    (NOW - timedelta(days=90, seconds=1), False),
    (datetime(2026, 11, 25, 10, tzinfo=timezone(timedelta(hours=8))), True),
])
def test_paid_at_lies_in_its_window(paid_at: datetime | None, plausible: bool) -> None:
    assert paid_at_plausible(paid_at, NOW, max_age_days=90, max_skew_minutes=10) is plausible
