"""Events arrive late, early, twice and in any batches: the parcel ends in the same state as if
they had arrived once and in order (hypothesis draws the permutations)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from daifa.tracking.status import TrackingEvent, TrackingStatus, current_status
from daifa.worker import Worker
from tests.api.support import ok
from tests.tracking.helpers import event, post_events, shipments, shipped_order

T0 = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
_numbers = count(1)

# A parcel's story: statuses at distinct minutes (drawn), some with provider event ids.
stories = st.lists(
    st.tuples(st.sampled_from(list(TrackingStatus)), st.integers(0, 600), st.booleans()),
    min_size=1, max_size=7, unique_by=lambda item: item[1])


def _events(number: str, story: list[tuple[TrackingStatus, int, bool]]) -> list[dict[str, Any]]:
    return [event(number, status.value, T0 + timedelta(minutes=minute),
                  event_id=f"{number}-{minute}" if with_id else None)
            for status, minute, with_id in story]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(story=stories, data=st.data())
def test_any_arrival_order_gives_the_same_final_state(client: TestClient, worker: Worker,
                                                      story: list[tuple[TrackingStatus, int,
                                                                        bool]],
                                                      data: st.DataObject) -> None:
    number = f"SF{next(_numbers):013d}"
    shipped_order(client, [("SF", number)], external_id=f"P-{number}")
    events = _events(number, story)
    arrivals = data.draw(st.permutations(events + data.draw(
        st.lists(st.sampled_from(events), max_size=4))))  # with repeats
    cut = data.draw(st.integers(1, len(arrivals)))
    for batch in (arrivals[:cut], arrivals[cut:]):
        if batch:
            ok(post_events(client, batch), 202)
            worker.run_due_jobs()  # the second batch arrives after the first was applied
    expected = current_status(
        TrackingEvent("SF", number, status, T0 + timedelta(minutes=minute))
        for status, minute, _ in story)
    [shipment] = [s for s in shipments(client) if s.tracking_no == number]
    assert expected is not None and shipment.tracking_status == expected.value
    assert shipment.tracking_updated_at == T0 + timedelta(minutes=max(m for _, m, _ in story))
    delivered = [T0 + timedelta(minutes=m) for s, m, _ in story
                 if s is TrackingStatus.DELIVERED]
    assert shipment.delivered_at == (min(delivered) if expected is TrackingStatus.DELIVERED
                                     else None)
