"""Webhook signatures (both directions) and the redelivery schedule.

Signature header: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``. While a secret is
being rotated the sender may add one ``v1=`` per secret, and the receiver may hold several
secrets: any (secret, v1) match is accepted. ``verify`` refuses a timestamp more than
``tolerance`` seconds from now (either way), which bounds replays; a replay inside the window
carries the same event id and is dropped by the receiver's de-duplication on that id.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from daifa.webhooks.errors import WebhookSignatureInvalid, WebhookTimestampStale

EVENT_ID_HEADER = "X-Daifa-Event-Id"
DEFAULT_TOLERANCE = 300
MAX_REDELIVERY_SECONDS = 24 * 3600

Secret = str | bytes


def _key(secret: Secret) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def signature(secret: Secret, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``b"<timestamp>." + body``."""
    return hmac.new(_key(secret), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secrets: Secret | Sequence[Secret], body: bytes, timestamp: int) -> str:
    """The header value, one ``v1=`` per secret (several while rotating)."""
    keys = [secrets] if isinstance(secrets, str | bytes) else list(secrets)
    if not keys:
        raise ValueError("at least one secret is needed")
    parts = [f"t={timestamp}", *(f"v1={signature(key, timestamp, body)}" for key in keys)]
    return ",".join(parts)


def parse_header(header: str) -> tuple[int, list[str]]:
    """(timestamp, v1 signatures); ``WEBHOOK_SIGNATURE_INVALID`` when malformed."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit() and timestamp is None:
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value.lower())
    if timestamp is None or not candidates:
        raise WebhookSignatureInvalid()
    return timestamp, candidates


def verify(secrets: Secret | Sequence[Secret], header: str | None, body: bytes,
           now: int | datetime, *, tolerance: int = DEFAULT_TOLERANCE) -> int:
    """Check a signed request; return its timestamp.

    ``WEBHOOK_SIGNATURE_INVALID`` when the header is missing or malformed or no signature matches
    any secret; ``WEBHOOK_TIMESTAMP_STALE`` when it matches but is outside ``now ± tolerance``.
    """
    if not header:
        raise WebhookSignatureInvalid()
    if isinstance(now, datetime):
        now = int(now.timestamp())
    timestamp, candidates = parse_header(header)
    keys = [secrets] if isinstance(secrets, str | bytes) else list(secrets)
    expected = [signature(key, timestamp, body) for key in keys]
    # Compare every pair so the time taken does not depend on which one matched.
    matched = False
    for want in expected:
        for got in candidates:
            matched |= hmac.compare_digest(want.encode(), got.encode())
    if not matched:
        raise WebhookSignatureInvalid()
    if abs(now - timestamp) > tolerance:
        raise WebhookTimestampStale(skew=now - timestamp, tolerance=tolerance)
    return timestamp


def backoff_schedule(*, first: int = 30, factor: int = 2, cap: int = 6 * 3600,
                     total: int = MAX_REDELIVERY_SECONDS) -> list[int]:
    """Delays in seconds before each redelivery: ``first``, doubling, each at most ``cap``,
    for as long as the sum stays within ``total`` (24 h by default)."""
    if first <= 0 or factor < 1 or cap < first:
        raise ValueError("need first > 0, factor >= 1 and cap >= first")
    delays: list[int] = []
    delay, spent = first, 0
    while spent + delay <= total:
        delays.append(delay)
        spent += delay
        delay = min(cap, delay * factor)
    return delays


def redelivery_delay(attempts: int, **schedule: int) -> int | None:
    """Seconds to wait after ``attempts`` failed deliveries (1 = the first try failed), or None
    when the schedule is used up and the delivery is given up."""
    delays = backoff_schedule(**schedule)
    return delays[attempts - 1] if 1 <= attempts <= len(delays) else None
