"""Sign-in rules: login shape, password strength, and the failed-sign-in throttle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from daifa.identity import rules
from daifa.identity.rules import ThrottlePolicy, ThrottleState, after_failure, retry_after

T0 = datetime(2026, 1, 1, tzinfo=UTC)
POLICY = ThrottlePolicy(max_failures=5, window=timedelta(minutes=15),
                        lockout=timedelta(seconds=60))


def _fail(times: int, *, start: datetime = T0, step: timedelta = timedelta(seconds=1),
          state: ThrottleState | None = None) -> ThrottleState:
    now = start
    for _ in range(times):
        state = after_failure(state, now, POLICY)
        now += step
    assert state is not None
    return state


def test_failures_below_the_limit_do_not_lock() -> None:
    state = _fail(4)
    assert state.failures == 4
    assert state.locked_until is None
    assert retry_after(state, T0 + timedelta(seconds=4)) is None


def test_the_limit_th_failure_locks_for_the_lockout() -> None:
    state = _fail(5)
    fifth_at = T0 + timedelta(seconds=4)
    assert state.locked_until == fifth_at + timedelta(seconds=60)
    assert retry_after(state, fifth_at) == 60
    assert retry_after(state, fifth_at + timedelta(seconds=59, milliseconds=500)) == 1
    assert retry_after(state, fifth_at + timedelta(seconds=60)) is None


def test_each_further_failure_doubles_the_lockout() -> None:
    state = _fail(5)
    lockouts = []
    now = state.locked_until
    for _ in range(3):
        assert now is not None
        state = after_failure(state, now, POLICY)
        assert state.locked_until is not None
        lockouts.append(state.locked_until - now)
        now = state.locked_until
    assert lockouts == [timedelta(seconds=120), timedelta(seconds=240), timedelta(seconds=480)]


def test_the_lockout_is_capped() -> None:
    policy = ThrottlePolicy(max_failures=1, window=timedelta(days=1),
                            lockout=timedelta(seconds=60))
    state = None
    now = T0
    lockouts = []
    for _ in range(40):
        state = after_failure(state, now, policy)
        assert state.locked_until is not None
        lockouts.append(state.locked_until - now)
        now = state.locked_until
    assert max(lockouts) == rules.MAX_LOCKOUT
    assert lockouts[-1] == rules.MAX_LOCKOUT
    assert lockouts[:5] == [timedelta(seconds=60 * 2**n) for n in range(4)] + [rules.MAX_LOCKOUT]


def test_the_count_resets_after_the_window() -> None:
    state = _fail(4)
    later = T0 + POLICY.window + timedelta(seconds=1)
    state = after_failure(state, later, POLICY)
    assert (state.failures, state.window_started_at, state.locked_until) == (1, later, None)


def test_a_failure_at_the_window_edge_still_counts() -> None:
    state = _fail(4)
    state = after_failure(state, T0 + POLICY.window, POLICY)
    assert state.failures == 5 and state.locked_until is not None


def test_no_state_means_no_wait() -> None:
    assert retry_after(None, T0) is None


@pytest.mark.parametrize(("login", "problem"), [
    ("alice", False), ("a.b_c+d@e-f", False), ("abc", False), ("x" * 64, False),
    ("ab", True), ("x" * 65, True), ("-alice", True), (".alice", True), ("al ice", True),
    ("Alice", True), ("张三三", True), ("", True),
])
def test_login_shape(login: str, problem: bool) -> None:
    assert (rules.login_problem(login) is not None) is problem


def test_logins_are_normalised_before_the_check() -> None:
    assert rules.normalise_login("  Alice@Example.COM ") == "alice@example.com"


@pytest.mark.parametrize(("password", "problem"), [
    ("1234567", True), ("12345678", False), ("密码密码密码密码", False), ("x" * 256, False),
    ("x" * 257, True),
])
def test_password_strength(password: str, problem: bool) -> None:
    assert (rules.password_problem(password) is not None) is problem
