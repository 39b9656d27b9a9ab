"""Pure decisions about sign-in: login shape, password strength, throttling."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_LOGIN = 3
MAX_LOGIN = 64
LOGIN_PATTERN = re.compile(rf"^[a-z0-9][a-z0-9._@+-]{{{MIN_LOGIN - 1},{MAX_LOGIN - 1}}}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 256
MAX_LOCKOUT = timedelta(minutes=15)


def normalise_login(login: str) -> str:
    return login.strip().lower()


def login_problem(login: str) -> str | None:
    if not LOGIN_PATTERN.match(login):
        return (f"use {MIN_LOGIN} to {MAX_LOGIN} characters: letters, digits and . _ @ + -, "
                "starting with a letter or digit")
    return None


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"use at least {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"use at most {MAX_PASSWORD} characters"
    return None


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta
    lockout: timedelta


def retry_after(state: ThrottleState | None, now: datetime) -> int | None:
    """Seconds to wait before another attempt is heard, or None when one may try now."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return max(1, math.ceil((state.locked_until - now).total_seconds()))


def after_failure(state: ThrottleState | None, now: datetime,
                  policy: ThrottlePolicy) -> ThrottleState:
    """Count a failure; past the limit each further failure doubles the lockout."""
    if state is None or now - state.window_started_at > policy.window:
        state = ThrottleState(failures=0, window_started_at=now, locked_until=None)
    failures = state.failures + 1
    locked_until = state.locked_until
    if failures >= policy.max_failures:
        doublings = failures - policy.max_failures
        lockout = min(MAX_LOCKOUT, policy.lockout * (2 ** min(doublings, 10)))
        locked_until = now + lockout
    return ThrottleState(failures, state.window_started_at, locked_until)


def throttle_forgotten_before(now: datetime, policy: ThrottlePolicy) -> datetime:
    """A throttle row whose window started before this, and which locks nothing any more,
    counts for nothing: the next failure would start a fresh window (``after_failure``)."""
    return now - policy.window


def console_expiry(now: datetime, created_at: datetime, idle: timedelta,
                   lifetime: timedelta) -> datetime:
    """When a console session ends if nothing more happens: ``idle`` from now, never later
    than ``lifetime`` after it began (activity slides the first, not the second)."""
    return min(now + idle, created_at + lifetime)


def slide_due(expires_at: datetime, now: datetime, idle: timedelta, every: timedelta) -> bool:
    """Whether a console session's expiry is worth moving on: not if it moved in the last
    ``every`` (one write a minute at most per session, not one per page)."""
    return expires_at < now + idle - every
