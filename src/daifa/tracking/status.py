"""Parcel tracking statuses and merging of tracking events.

Tracking providers (Kuaidi100, Kdniao, the built-in sandbox) push events with retries, so the
same event may arrive twice and a later event may arrive first. ``merge_events`` keeps each event
once and ``current_status`` reads the parcel's status from the events' times, never from their
arrival order, so any permutation of the same events (with any duplicates) gives the same answer.

Status rule: the latest event by ``occurred_at`` wins (ties broken by ``TrackingStatus`` order),
except that a parcel once ``delivered`` stays delivered unless a later ``returning`` or
``refused`` event says it went back, and a parcel once ``returning``/``refused`` stays on its way
back (a later "delivered" then means delivered back to the sender, not to the buyer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class TrackingStatus(StrEnum):
    # Declaration order is the tie-break order for events with the same timestamp.
    AWAITING_PICKUP = "awaiting_pickup"
    COLLECTED = "collected"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    PROBLEM = "problem"
    DELIVERED = "delivered"
    REFUSED = "refused"
    RETURNING = "returning"

    @property
    def label(self) -> str:
        return LABELS[self]

    @classmethod
    def parse(cls, text: str) -> TrackingStatus:
        """A status from its value or its Chinese label (ValueError otherwise)."""
        text = text.strip()
        for status, label in LABELS.items():
            if text in (status.value, label):
                return status
        raise ValueError(f"unknown tracking status {text!r}")


LABELS: dict[TrackingStatus, str] = {
    TrackingStatus.AWAITING_PICKUP: "待揽收",
    TrackingStatus.COLLECTED: "已揽收",
    TrackingStatus.IN_TRANSIT: "运输中",
    TrackingStatus.OUT_FOR_DELIVERY: "派件中",
    TrackingStatus.PROBLEM: "异常",
    TrackingStatus.DELIVERED: "已签收",
    TrackingStatus.REFUSED: "拒签",
    TrackingStatus.RETURNING: "退回",
}

_RANK = {status: rank for rank, status in enumerate(TrackingStatus)}
_BACK = frozenset({TrackingStatus.RETURNING, TrackingStatus.REFUSED})


@dataclass(frozen=True)
class TrackingEvent:
    carrier_code: str
    tracking_no: str
    status: TrackingStatus
    occurred_at: datetime  # timezone-aware
    event_id: str | None = None  # the provider's id, when it sends one
    detail: str = ""  # the carrier's own text, e.g. "【杭州转运中心】已发出"

    def __post_init__(self) -> None:
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must be timezone-aware")

    @property
    def natural_key(self) -> tuple[str, str, TrackingStatus, datetime]:
        return (self.carrier_code, self.tracking_no, self.status,
                self.occurred_at.astimezone(UTC))

    def sort_key(self) -> tuple[datetime, int]:
        return (self.occurred_at.astimezone(UTC), _RANK[self.status])


@dataclass(frozen=True)
class Merged:
    events: tuple[TrackingEvent, ...]  # every distinct event, oldest first
    added: tuple[TrackingEvent, ...]  # the incoming events that were new, in arrival order


def merge_events(existing: Iterable[TrackingEvent],
                 incoming: Iterable[TrackingEvent]) -> Merged:
    """Existing events plus the new ones among ``incoming``. An incoming event is a duplicate when
    its provider event id, or its (carrier, tracking no., status, time), was seen before; the
    first copy seen is kept."""
    ids: set[str] = set()
    keys: set[tuple[str, str, TrackingStatus, datetime]] = set()
    kept: list[TrackingEvent] = []
    added: list[TrackingEvent] = []

    def take(event: TrackingEvent) -> bool:
        if event.natural_key in keys or (event.event_id is not None and event.event_id in ids):
            return False
        keys.add(event.natural_key)
        if event.event_id is not None:
            ids.add(event.event_id)
        kept.append(event)
        return True

    for event in existing:
        take(event)
    added.extend(event for event in incoming if take(event))
    return Merged(tuple(sorted(kept, key=TrackingEvent.sort_key)), tuple(added))


def current_status(events: Iterable[TrackingEvent]) -> TrackingStatus | None:
    """One parcel's status from its events (any order, duplicates allowed); None without any."""
    status: TrackingStatus | None = None
    for event in sorted(events, key=TrackingEvent.sort_key):
        status = _next_status(status, event.status)
    return status


def _next_status(current: TrackingStatus | None, seen: TrackingStatus) -> TrackingStatus:
    if current in _BACK and seen not in _BACK:
        return current
    if current is TrackingStatus.DELIVERED and seen not in _BACK:
        return current
    return seen
