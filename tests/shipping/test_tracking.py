from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daifa.tracking.status import (
    LABELS,
    TrackingEvent,
    TrackingStatus,
    current_status,
    merge_events,
)

T = TrackingStatus
START = datetime(2026, 1, 1, 8, tzinfo=UTC)
SHANGHAI = timezone(timedelta(hours=8))


def ev(status: TrackingStatus, minutes: int, event_id: str | None = None,
       tracking_no: str = "SF1234567890123") -> TrackingEvent:
    return TrackingEvent("SF", tracking_no, status, START + timedelta(minutes=minutes), event_id)


def test_statuses_and_chinese_labels() -> None:
    assert {status.value: status.label for status in TrackingStatus} == {
        "awaiting_pickup": "待揽收", "collected": "已揽收", "in_transit": "运输中",
        "out_for_delivery": "派件中", "delivered": "已签收", "problem": "异常",
        "returning": "退回", "refused": "拒签"}
    assert set(LABELS) == set(TrackingStatus)


@pytest.mark.parametrize("status", list(TrackingStatus))
def test_parse_accepts_value_and_label(status: TrackingStatus) -> None:
    assert TrackingStatus.parse(status.value) is status
    assert TrackingStatus.parse(f" {status.label} ") is status


def test_parse_refuses_anything_else() -> None:
    with pytest.raises(ValueError, match="unknown tracking status"):
        TrackingStatus.parse("签收中")


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        TrackingEvent("SF", "SF1", T.COLLECTED, datetime(2026, 1, 1))


def test_duplicates_are_kept_once_and_only_new_events_are_added() -> None:
    stored = [ev(T.COLLECTED, 0, "e1"), ev(T.IN_TRANSIT, 60, "e2")]
    incoming = [ev(T.IN_TRANSIT, 60, "e2"),  # same id
                ev(T.COLLECTED, 0),  # same natural key, no id
                ev(T.OUT_FOR_DELIVERY, 120, "e3"),
                ev(T.OUT_FOR_DELIVERY, 120, "e3")]  # repeated within the batch
    merged = merge_events(stored, incoming)
    assert [e.status for e in merged.events] == [T.COLLECTED, T.IN_TRANSIT, T.OUT_FOR_DELIVERY]
    assert merged.added == (ev(T.OUT_FOR_DELIVERY, 120, "e3"),)


def test_same_instant_in_another_zone_is_the_same_event() -> None:
    utc = ev(T.COLLECTED, 0)
    local = TrackingEvent("SF", utc.tracking_no, T.COLLECTED, START.astimezone(SHANGHAI))
    assert merge_events([utc], [local]).added == ()


def test_provider_event_id_dedupes_even_when_the_time_differs() -> None:
    merged = merge_events([ev(T.COLLECTED, 0, "k100-1")], [ev(T.COLLECTED, 5, "k100-1")])
    assert merged.added == ()


def test_other_parcels_and_carriers_are_not_duplicates() -> None:
    first = ev(T.COLLECTED, 0)
    other_no = ev(T.COLLECTED, 0, tracking_no="SF9999999999999")
    other_carrier = TrackingEvent("ZTO", first.tracking_no, T.COLLECTED, first.occurred_at)
    assert len(merge_events([first], [other_no, other_carrier]).added) == 2


def test_events_are_ordered_by_time_not_arrival() -> None:
    merged = merge_events([], [ev(T.DELIVERED, 300), ev(T.COLLECTED, 0), ev(T.IN_TRANSIT, 60)])
    assert [e.status for e in merged.events] == [T.COLLECTED, T.IN_TRANSIT, T.DELIVERED]


@pytest.mark.parametrize(("events", "expected"), [
    ([], None),
    ([ev(T.AWAITING_PICKUP, 0)], T.AWAITING_PICKUP),
    ([ev(T.COLLECTED, 0), ev(T.IN_TRANSIT, 60), ev(T.OUT_FOR_DELIVERY, 120)],
     T.OUT_FOR_DELIVERY),
    ([ev(T.IN_TRANSIT, 60), ev(T.COLLECTED, 0)], T.IN_TRANSIT),  # late arrival of an old event
    ([ev(T.IN_TRANSIT, 60), ev(T.PROBLEM, 90)], T.PROBLEM),
    ([ev(T.PROBLEM, 90), ev(T.IN_TRANSIT, 100)], T.IN_TRANSIT),  # problem cleared
    ([ev(T.DELIVERED, 300), ev(T.OUT_FOR_DELIVERY, 400)], T.DELIVERED),  # delivered is final
    ([ev(T.DELIVERED, 300), ev(T.PROBLEM, 400)], T.DELIVERED),
    ([ev(T.DELIVERED, 300), ev(T.RETURNING, 400)], T.RETURNING),  # ...unless it goes back
    ([ev(T.DELIVERED, 300), ev(T.REFUSED, 400)], T.REFUSED),
    ([ev(T.RETURNING, 300), ev(T.DELIVERED, 400)], T.RETURNING),  # delivered back to sender
    ([ev(T.REFUSED, 300), ev(T.RETURNING, 310)], T.RETURNING),
    ([ev(T.RETURNING, 300), ev(T.DELIVERED, 200)], T.RETURNING),
    ([ev(T.OUT_FOR_DELIVERY, 300), ev(T.DELIVERED, 300)], T.DELIVERED),  # same time: ordered
    ([ev(T.DELIVERED, 300), ev(T.OUT_FOR_DELIVERY, 300)], T.DELIVERED),
])
def test_current_status(events: list[TrackingEvent], expected: TrackingStatus | None) -> None:
    assert current_status(events) == expected


# A parcel's history: statuses at distinct or equal minutes, some with provider ids.
histories = st.lists(
    st.tuples(st.sampled_from(TrackingStatus), st.integers(0, 20), st.booleans()),
    min_size=1, max_size=12,
).map(lambda items: [ev(status, minute, f"id-{status}-{minute}" if with_id else None)
                     for status, minute, with_id in items])


@given(history=histories, data=st.data())
def test_any_order_with_any_duplicates_gives_the_same_status(
        history: list[TrackingEvent], data: st.DataObject) -> None:
    expected = current_status(merge_events([], history).events)
    copies = data.draw(st.lists(st.sampled_from(history), max_size=10))
    shuffled = data.draw(st.permutations(history + copies))
    split = data.draw(st.integers(0, len(shuffled)))
    merged = merge_events(shuffled[:split], shuffled[split:])
    assert current_status(merged.events) == expected
    assert current_status(shuffled) == expected
    assert len(merged.events) == len({e.natural_key for e in history})
    assert list(merged.events) == sorted(merged.events, key=TrackingEvent.sort_key)


@given(history=histories)
def test_merging_again_adds_nothing(history: list[TrackingEvent]) -> None:
    first = merge_events([], history)
    again = merge_events(first.events, history)
    assert again.added == ()
    assert again.events == first.events
