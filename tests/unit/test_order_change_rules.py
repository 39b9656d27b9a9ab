"""Pure rules of order changes: the shop order's status with cancelled units, the move between
any two statuses it can be in, and which units a cancel takes."""

from __future__ import annotations

import pytest

from daifa.dispatch.states import DISPATCH_TRANSITIONS, RELEASED_STATUSES, DispatchStatus
from daifa.errors import DaifaError
from daifa.fulfilment.rules import (
    Held,
    LineUnits,
    action_between,
    cancellable_units,
    plan_cancel,
    recipient_may_change,
    status_for,
)
from daifa.orders.states import ORDER_TRANSITIONS, OrderStatus

_O = OrderStatus


@pytest.mark.parametrize(("quantity", "assigned", "cancelled", "statuses", "expected"), [
    (3, 0, 3, [], _O.CANCELLED),
    (3, 0, 3, ["cancelled"], _O.CANCELLED),
    (3, 0, 1, [], _O.UNASSIGNED),  # the rest waits: the shop's queue first
    (3, 1, 1, ["assigned"], _O.PARTIALLY_ASSIGNED),
    (3, 2, 1, ["assigned"], _O.PARTIALLY_CANCELLED),
    (3, 2, 1, ["accepted", "cancelled"], _O.PARTIALLY_CANCELLED),
    (3, 2, 1, ["cancel_requested"], _O.PARTIALLY_CANCELLED),
    (3, 2, 1, ["partially_shipped"], _O.PARTIALLY_SHIPPED),
    (3, 2, 1, ["shipped", "cancelled"], _O.SHIPPED),
    (3, 2, 1, ["completed"], _O.COMPLETED),
    (3, 3, 0, ["assigned"], _O.ASSIGNED),
])
def test_status_with_cancelled_units(quantity: int, assigned: int, cancelled: int,
                                     statuses: list[str], expected: OrderStatus) -> None:
    assert status_for(quantity, assigned, statuses, cancelled) == expected


# An order of two units with at most one live dispatch order: (assigned, cancelled, its status)
State = tuple[int, int, tuple[str, ...]]
UNITS = 2
STATES: list[State] = [(a, c, s) for a in range(UNITS + 1) for c in range(UNITS + 1 - a)
                       for s in ([()] if a == 0 else [(d.value,) for d in DispatchStatus
                                                       if d not in RELEASED_STATUSES])]


def _steps(state: State) -> list[State]:
    """What one event can make of `state`: an assignment, a cancel of waiting units, or one
    move of the dispatch order (ending it gives its units back, some of them cancelled)."""
    assigned, cancelled, live = state
    waiting = UNITS - assigned - cancelled
    after: list[State] = []
    for k in range(1, waiting + 1):
        after.append((assigned + k, cancelled, live or ("assigned",)))
        after.append((assigned, cancelled + k, live))
    for (_, source), target in DISPATCH_TRANSITIONS.edges().items():
        if live == (source.value,):
            if target in RELEASED_STATUSES:
                after += [(0, cancelled + k, ()) for k in range(assigned + 1)]
            else:
                after.append((assigned, cancelled, (target.value,)))
    return after


def _status(state: State) -> OrderStatus:
    return status_for(UNITS, state[0], state[2], state[1])


@pytest.mark.parametrize("before", STATES)
def test_every_change_one_event_makes_is_an_edge_of_the_table(before: State) -> None:
    current = _status(before)
    for after in _steps(before):
        target = _status(after)
        if target != current:
            action = action_between(current, target)
            assert action is not None
            assert ORDER_TRANSITIONS.allows(current, action), (before, after, action)


def test_moves_to_partially_cancelled_are_named_by_their_cause() -> None:
    assert action_between(_O.ASSIGNED, _O.PARTIALLY_CANCELLED) == "cancel_partially"
    assert action_between(_O.UNASSIGNED, _O.PARTIALLY_CANCELLED) == "assign_rest"
    assert action_between(_O.PARTIALLY_ASSIGNED, _O.CANCELLED) == "cancel"


LINES = [LineUnits(1, 3, 2, 0), LineUnits(2, 1, 1, 0)]


def test_the_whole_order_takes_waiting_units_and_every_open_dispatch_order() -> None:
    held = [Held(10, 100, 1, "accepted", 1), Held(11, 110, 1, "assigned", 1),
            Held(11, 111, 2, "assigned", 1)]
    plan = plan_cancel(LINES, held, None)
    assert plan.waiting == {1: 1}
    assert plan.dispatch == {10: {100: 1}, 11: {110: 1, 111: 1}}
    assert plan.lines == {1: 3, 2: 1}


def test_waiting_units_first_then_assigned_before_accepted() -> None:
    held = [Held(10, 100, 1, "accepted", 1), Held(11, 110, 1, "assigned", 1)]
    assert plan_cancel(LINES, held, {1: 1}).dispatch == {}
    assert plan_cancel(LINES, held, {1: 2}).dispatch == {11: {110: 1}}
    assert plan_cancel(LINES, held, {1: 3}).dispatch == {11: {110: 1}, 10: {100: 1}}


@pytest.mark.parametrize(("held", "wanted", "code"), [
    ([Held(10, 100, 1, "partially_shipped", 1, 1)], {1: 2}, "ALREADY_SHIPPED"),
    ([Held(10, 100, 1, "shipped", 0, 2)], {1: 2}, "ALREADY_SHIPPED"),
    ([Held(10, 100, 1, "cancel_requested", 2)], {1: 2}, "ALREADY_CANCELLED"),
    ([Held(10, 100, 1, "assigned", 2)], {1: 4}, "ALREADY_CANCELLED"),
    ([Held(10, 100, 1, "shipped", 0, 2), Held(11, 110, 2, "shipped", 0, 1)], None,
     "ALREADY_SHIPPED"),
    ([Held(10, 100, 1, "cancel_requested", 2), Held(11, 110, 2, "cancel_requested", 1)], None,
     "ALREADY_CANCELLED"),
])
def test_refusals_name_the_first_reason(held: list[Held], wanted: dict[int, int] | None,
                                        code: str) -> None:
    lines = [LineUnits(1, 3, 2, 1), LineUnits(2, 1, 1, 0)]
    with pytest.raises(DaifaError) as raised:
        plan_cancel(lines, held, wanted)
    assert raised.value.code == code
    assert raised.value.params["line_id"] == 1


def test_more_units_than_the_line_has() -> None:
    with pytest.raises(DaifaError) as raised:
        plan_cancel(LINES, [Held(11, 110, 1, "assigned", 2)], {1: 4})
    assert (raised.value.code, raised.value.params["remaining"]) == (
        "QUANTITY_EXCEEDS_REMAINING", 3)


def test_what_a_page_offers() -> None:
    assert cancellable_units(3, 2, 0, [("accepted", 1), ("shipped", 1)]) == 2
    assert cancellable_units(3, 1, 2, [("cancel_requested", 1)]) == 0
    assert recipient_may_change(["assigned", "accepted", "cancelled"])
    assert not recipient_may_change(["accepted", "partially_shipped"])
