from __future__ import annotations

import hashlib
import hmac
import itertools
from datetime import UTC, datetime

import pytest

from daifa.webhooks.errors import WebhookSignatureInvalid, WebhookTimestampStale
from daifa.webhooks.signing import (
    MAX_REDELIVERY_SECONDS,
    backoff_schedule,
    parse_header,
    redelivery_delay,
    sign,
    signature,
    verify,
)

SECRET = "whsec_old"
NEW_SECRET = "whsec_new"
BODY = b'{"event":"dispatch_order.shipped","dispatch_order_no":"DO1","tracking_no":"SF1"}'
NOW = 1_767_225_600  # 2026-01-01T00:00:00Z


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert signature(SECRET, NOW, BODY) == expected
    assert sign(SECRET, BODY, NOW) == f"t={NOW},v1={expected}"


def test_a_fresh_signed_request_verifies() -> None:
    assert verify(SECRET, sign(SECRET, BODY, NOW), BODY, NOW + 10) == NOW
    assert verify(SECRET.encode(), sign(SECRET, BODY, NOW), BODY, NOW) == NOW


def test_now_may_be_a_datetime() -> None:
    header = sign(SECRET, BODY, NOW)
    assert verify(SECRET, header, BODY, datetime.fromtimestamp(NOW + 299, UTC)) == NOW


@pytest.mark.parametrize("body", [
    BODY.replace(b"SF1", b"SF2"), BODY + b" ", b"", BODY[:-1]])
def test_a_tampered_body_is_refused(body: bytes) -> None:
    with pytest.raises(WebhookSignatureInvalid) as caught:
        verify(SECRET, sign(SECRET, BODY, NOW), body, NOW)
    assert (caught.value.code, caught.value.status) == ("WEBHOOK_SIGNATURE_INVALID", 401)


def test_a_changed_timestamp_breaks_the_signature() -> None:
    forged = sign(SECRET, BODY, NOW).replace(f"t={NOW}", f"t={NOW + 600}")
    with pytest.raises(WebhookSignatureInvalid):
        verify(SECRET, forged, BODY, NOW + 600)


def test_a_wrong_secret_is_refused() -> None:
    with pytest.raises(WebhookSignatureInvalid):
        verify("someone-else", sign(SECRET, BODY, NOW), BODY, NOW)


@pytest.mark.parametrize("header", [
    None, "", "garbage", f"t={NOW}", "v1=abcd", f"t=abc,v1={'0' * 64}", f"t={NOW},v1=",
    f"t=-5,v1={'0' * 64}", f"v0={'0' * 64},t={NOW}"])
def test_a_missing_or_malformed_header_is_refused(header: str | None) -> None:
    with pytest.raises(WebhookSignatureInvalid) as caught:
        verify(SECRET, header, BODY, NOW)
    assert caught.value.code == "WEBHOOK_SIGNATURE_INVALID"


def test_parse_header_tolerates_spaces_order_and_unknown_parts() -> None:
    digest = signature(SECRET, NOW, BODY)
    assert parse_header(f" v1={digest.upper()} , x=1, t={NOW}") == (NOW, [digest])


@pytest.mark.parametrize("offset", [301, -301, 3600, -86400])
def test_a_stale_or_future_timestamp_is_refused(offset: int) -> None:
    header = sign(SECRET, BODY, NOW)
    with pytest.raises(WebhookTimestampStale) as caught:
        verify(SECRET, header, BODY, NOW + offset)
    assert (caught.value.code, caught.value.status) == ("WEBHOOK_TIMESTAMP_STALE", 401)


def test_replay_window() -> None:
    """A captured request replays only within the tolerance; after that it is stale. Inside the
    window the receiver drops the repeat by its event id."""
    header = sign(SECRET, BODY, NOW)
    assert verify(SECRET, header, BODY, NOW + 300) == NOW
    assert verify(SECRET, header, BODY, NOW - 300) == NOW
    with pytest.raises(WebhookTimestampStale):
        verify(SECRET, header, BODY, NOW + 301)
    assert verify(SECRET, header, BODY, NOW + 3000, tolerance=3600) == NOW
    with pytest.raises(WebhookTimestampStale):
        verify(SECRET, header, BODY, NOW + 11, tolerance=10)


def test_rotation_sender_signs_with_both_secrets() -> None:
    header = sign([NEW_SECRET, SECRET], BODY, NOW)
    assert header.count("v1=") == 2
    assert verify(SECRET, header, BODY, NOW) == NOW  # a receiver still on the old secret
    assert verify(NEW_SECRET, header, BODY, NOW) == NOW  # one already on the new secret


def test_rotation_receiver_holds_both_secrets() -> None:
    assert verify([NEW_SECRET, SECRET], sign(SECRET, BODY, NOW), BODY, NOW) == NOW
    assert verify([NEW_SECRET, SECRET], sign(NEW_SECRET, BODY, NOW), BODY, NOW) == NOW
    with pytest.raises(WebhookSignatureInvalid):
        verify([NEW_SECRET, SECRET], sign("retired", BODY, NOW), BODY, NOW)
    with pytest.raises(WebhookSignatureInvalid):
        verify([], sign(SECRET, BODY, NOW), BODY, NOW)


def test_signing_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        sign([], BODY, NOW)


def test_default_backoff_doubles_is_capped_and_stays_within_24_hours() -> None:
    delays = backoff_schedule()
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600]
    assert sum(delays) <= MAX_REDELIVERY_SECONDS == 86_400
    assert sum(delays) + 21600 > MAX_REDELIVERY_SECONDS  # one more would pass 24 h


@pytest.mark.parametrize(("first", "factor", "cap", "total"), [
    (1, 2, 3600, 86_400), (60, 3, 7200, 86_400), (10, 1, 10, 100), (30, 2, 10**9, 86_400)])
def test_backoff_schedule_properties(first: int, factor: int, cap: int, total: int) -> None:
    delays = backoff_schedule(first=first, factor=factor, cap=cap, total=total)
    assert delays[0] == first
    assert sum(delays) <= total
    assert all(b == min(cap, a * factor) for a, b in itertools.pairwise(delays))
    assert sum(delays) + min(cap, delays[-1] * factor) > total


def test_backoff_schedule_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        backoff_schedule(first=0)
    with pytest.raises(ValueError):
        backoff_schedule(first=100, cap=10)


def test_redelivery_delay_by_attempt_then_give_up() -> None:
    delays = backoff_schedule()
    assert [redelivery_delay(n) for n in range(1, len(delays) + 1)] == delays
    assert redelivery_delay(len(delays) + 1) is None
    assert redelivery_delay(0) is None
