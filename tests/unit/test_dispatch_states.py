"""Every (status, action) pair of the dispatch-order table: allowed edges go where they should,
everything else is refused."""

from __future__ import annotations

import itertools

import pytest

from daifa.dispatch.states import (
    BLOCKED_WHILE_HELD,
    DISPATCH_TRANSITIONS,
    HOLDABLE_STATUSES,
    OPEN_STATUSES,
    SUPPLIER_REJECT_REASONS,
    TERMINAL_STATUSES,
    DispatchStatus,
    HoldReason,
    RejectReason,
)
from daifa.kit.states import IllegalTransition

S = DispatchStatus

ALLOWED: dict[tuple[str, DispatchStatus], DispatchStatus] = {
    ("accept", S.ASSIGNED): S.ACCEPTED,
    ("reject", S.ASSIGNED): S.REJECTED,
    ("expire", S.ASSIGNED): S.REJECTED,
    ("ship_partially", S.ACCEPTED): S.PARTIALLY_SHIPPED,
    ("ship_partially", S.PARTIALLY_SHIPPED): S.PARTIALLY_SHIPPED,
    ("ship_fully", S.ACCEPTED): S.SHIPPED,
    ("ship_fully", S.PARTIALLY_SHIPPED): S.SHIPPED,
    ("deliver", S.SHIPPED): S.DELIVERED,
    ("complete", S.DELIVERED): S.COMPLETED,
    ("cancel", S.ASSIGNED): S.CANCELLED,
    ("reassign", S.ASSIGNED): S.CANCELLED,
    ("withdraw", S.ASSIGNED): S.REJECTED,
    ("request_cancel", S.ACCEPTED): S.CANCEL_REQUESTED,
    ("accept_cancel", S.CANCEL_REQUESTED): S.CANCELLED,
    ("refuse_cancel", S.CANCEL_REQUESTED): S.ACCEPTED,
}
ACTIONS = sorted({action for action, _ in ALLOWED})
REFUSED = [
    (action, status)
    for action, status in itertools.product(ACTIONS, DispatchStatus)
    if (action, status) not in ALLOWED
]


def test_table_is_exactly_the_expected_edges() -> None:
    assert DISPATCH_TRANSITIONS.edges() == ALLOWED
    assert DISPATCH_TRANSITIONS.machine == "dispatch_order"


@pytest.mark.parametrize(("action", "source"), list(ALLOWED))
def test_allowed(action: str, source: DispatchStatus) -> None:
    move = DISPATCH_TRANSITIONS.next(source, action)
    assert (move.action, move.source, move.target) == (action, source, ALLOWED[(action, source)])
    assert DISPATCH_TRANSITIONS.allows(source, action)


@pytest.mark.parametrize(("action", "source"), REFUSED)
def test_refused(action: str, source: DispatchStatus) -> None:
    assert not DISPATCH_TRANSITIONS.allows(source, action)
    with pytest.raises(IllegalTransition) as caught:
        DISPATCH_TRANSITIONS.next(source, action)
    assert (caught.value.machine, caught.value.current, caught.value.action) == (
        "dispatch_order", source, action)


def test_no_cancel_once_anything_shipped() -> None:
    for status in (S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED, S.COMPLETED):
        for action in ("cancel", "request_cancel", "reassign", "reject"):
            assert not DISPATCH_TRANSITIONS.allows(status, action)


def test_nothing_ships_while_a_cancel_is_pending() -> None:
    assert DISPATCH_TRANSITIONS.actions_from(S.CANCEL_REQUESTED) == [
        "accept_cancel", "refuse_cancel"]


def test_terminal_statuses_have_no_way_out() -> None:
    for status in DispatchStatus:
        assert (DISPATCH_TRANSITIONS.actions_from(status) == []) == (status in TERMINAL_STATUSES)


def test_every_status_is_reachable_from_assigned() -> None:
    seen, frontier = {S.ASSIGNED}, [S.ASSIGNED]
    while frontier:
        current = frontier.pop()
        for action in DISPATCH_TRANSITIONS.actions_from(current):
            target = DISPATCH_TRANSITIONS.next(current, action).target
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(DispatchStatus)


def test_status_groups() -> None:
    assert {S.ASSIGNED, S.ACCEPTED, S.PARTIALLY_SHIPPED, S.CANCEL_REQUESTED} == OPEN_STATUSES
    assert not OPEN_STATUSES & TERMINAL_STATUSES
    assert HOLDABLE_STATUSES <= OPEN_STATUSES
    assert {"ship_partially", "ship_fully"} == BLOCKED_WHILE_HELD


def test_reason_values_match_the_contract() -> None:
    assert [r.value for r in HoldReason] == [
        "address_problem", "out_of_stock", "awaiting_payment", "other"]
    assert [r.value for r in RejectReason] == [
        "out_of_stock", "cannot_ship_region", "price_changed", "other", "acceptance_timeout",
        "supplier_suspended"]
    assert RejectReason.ACCEPTANCE_TIMEOUT not in SUPPLIER_REJECT_REASONS
    assert RejectReason.SUPPLIER_SUSPENDED not in SUPPLIER_REJECT_REASONS
    assert [s.value for s in DispatchStatus] == [
        "assigned", "accepted", "partially_shipped", "shipped", "delivered", "completed",
        "rejected", "cancel_requested", "cancelled"]
