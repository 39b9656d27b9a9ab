"""Tracking providers. A real one (Kuaidi100, Kdniao ...) pushes signed events to
``POST /api/v1/tracking/webhooks/{name}``; one that has to be asked, like the built-in sandbox,
implements ``TrackingProvider`` and a worker sweep feeds what it returns through the same path
(``tracking.service.ingest``) as a webhook body."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from daifa.tracking.schemas import TrackingEventIn
from daifa.tracking.status import TrackingStatus


@dataclass(frozen=True)
class Parcel:
    carrier_code: str
    tracking_no: str
    shipped_at: datetime
    status: TrackingStatus | None


class TrackingProvider(Protocol):
    name: str

    def due_events(self, parcels: Sequence[Parcel], now: datetime) -> list[TrackingEventIn]:
        """The events the provider has for these parcels by ``now`` (repeats are fine: they are
        de-duplicated on their ids)."""
        ...
