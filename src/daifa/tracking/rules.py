"""Pure tracking decisions: reading a provider's event, keying it, and each provider's secret."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from datetime import UTC

from daifa.errors import ValidationFailed
from daifa.shipping.carriers import normalise_tracking_no, resolve_carrier
from daifa.tracking.schemas import TrackingEventIn
from daifa.tracking.status import TrackingEvent, TrackingStatus

PROVIDER_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,31}$")
FINAL_STATUSES = frozenset({TrackingStatus.DELIVERED, TrackingStatus.REFUSED,
                            TrackingStatus.RETURNING})


class UnknownTrackingStatus(ValidationFailed):
    code = "UNKNOWN_TRACKING_STATUS"
    title = "Unknown tracking status"


def provider_secret(provider: str, configured: str, secret_key: str) -> str:
    """The HMAC secret a provider signs with: the configured one, else one derived from the
    hub's secret key (so the sandbox and local tests work with no set-up)."""
    if configured:
        return configured
    return hmac.new(secret_key.encode(), f"daifa tracking webhook {provider}".encode(),
                    hashlib.sha256).hexdigest()


def parse_status(text: str) -> TrackingStatus:
    try:
        return TrackingStatus.parse(text)
    except ValueError:
        known = ", ".join(f"{s.value} ({s.label})" for s in TrackingStatus)
        raise UnknownTrackingStatus(given=text, statuses=known,
                                    accepted=[s.value for s in TrackingStatus]) from None


def parse_event(provider: str, item: TrackingEventIn) -> TrackingEvent:
    """A provider's event as a ``TrackingEvent``; its id is qualified by the provider."""
    return TrackingEvent(
        carrier_code=resolve_carrier(item.carrier).code,
        tracking_no=normalise_tracking_no(item.tracking_no),
        status=parse_status(item.status),
        occurred_at=item.occurred_at.astimezone(UTC),
        event_id=f"{provider}:{item.event_id}" if item.event_id else None,
        detail=(item.description or "").strip(),
    )


def parse_events(provider: str, items: Iterable[TrackingEventIn]) -> list[TrackingEvent]:
    """Every event or the first error, naming the event by its position (`event_index`)."""
    events: list[TrackingEvent] = []
    for index, item in enumerate(items):
        try:
            events.append(parse_event(provider, item))
        except ValidationFailed as exc:
            exc.params["event_index"] = index
            raise
    return events


def provider_event_id(provider: str, event: TrackingEvent) -> str | None:
    """The provider's own id back from the qualified one."""
    prefix = f"{provider}:"
    if event.event_id and event.event_id.startswith(prefix):
        return event.event_id[len(prefix):]
    return event.event_id


def event_key(provider: str, event: TrackingEvent) -> str:
    """Unique per provider: its event id, else the natural key."""
    own = provider_event_id(provider, event)
    if own:
        return f"id:{own}"
    carrier, number, status, at = event.natural_key
    return f"at:{carrier}|{number}|{status.value}|{at.isoformat()}"
