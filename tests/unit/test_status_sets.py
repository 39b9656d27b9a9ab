"""Status sets are derived from the transition tables: the helpers, and what each named set of
the dispatch-order and shop-order tables holds."""

from __future__ import annotations

from enum import StrEnum

import pytest

from daifa.cli.statesdoc import tables
from daifa.dispatch import states as dispatch
from daifa.dispatch.states import DISPATCH_TRANSITIONS, MOVED_BY, DispatchStatus
from daifa.kit.states import TransitionTable, values
from daifa.orders.states import WAITING_STATUSES, OrderStatus

S = DispatchStatus


class Door(StrEnum):
    OPEN = "open"
    SHUT = "shut"
    LOCKED = "locked"
    GONE = "gone"


def _door() -> TransitionTable[Door]:
    return TransitionTable[Door]("door", Door, [
        ("shut", Door.OPEN, Door.SHUT),
        ("open", Door.SHUT, Door.OPEN),
        ("lock", Door.SHUT, Door.LOCKED),
        ("unlock", Door.LOCKED, Door.SHUT),
        ("remove", (Door.OPEN, Door.SHUT), Door.GONE),
    ])


def test_sources_are_the_statuses_an_action_fires_from() -> None:
    door = _door()
    assert door.sources("remove") == {Door.OPEN, Door.SHUT}
    assert door.sources("lock", "unlock") == {Door.SHUT, Door.LOCKED}


def test_targets_are_where_actions_lead() -> None:
    assert _door().targets("lock", "remove") == {Door.LOCKED, Door.GONE}


def test_an_unknown_action_is_a_mistake_not_an_empty_set() -> None:
    with pytest.raises(ValueError, match="no action fly"):
        _door().sources("fly")
    with pytest.raises(ValueError, match="no action fly"):
        _door().targets("open", "fly")


def test_terminal_is_what_no_edge_leaves() -> None:
    assert _door().terminal() == {Door.GONE}


def test_a_self_loop_is_a_way_out() -> None:
    from daifa.webhooks.states import DELIVERY_TRANSITIONS
    assert DELIVERY_TRANSITIONS.terminal() == frozenset()


def test_reachable_follows_every_chain_of_moves() -> None:
    door = _door()
    assert door.reachable([Door.LOCKED]) == set(Door)
    assert door.reachable([Door.GONE]) == {Door.GONE}


def test_actions_are_listed_once_sorted() -> None:
    assert _door().actions() == ["lock", "open", "remove", "shut", "unlock"]


def test_named_sets_keep_their_order_and_meaning() -> None:
    door = _door()
    passable = door.name("passable", [Door.OPEN], "people walk through")
    closed = door.name("closed", door.sources("unlock", "open"), "closed, maybe locked")
    assert passable == {Door.OPEN} and closed == {Door.SHUT, Door.LOCKED}
    assert [(s.name, s.statuses, s.meaning) for s in door.named()] == [
        ("passable", {Door.OPEN}, "people walk through"),
        ("closed", {Door.SHUT, Door.LOCKED}, "closed, maybe locked")]


def test_a_name_is_given_once_and_only_to_the_tables_statuses() -> None:
    door = _door()
    door.name("passable", [Door.OPEN], "")
    with pytest.raises(ValueError, match="named twice"):
        door.name("passable", [Door.SHUT], "")
    with pytest.raises(ValueError, match="another table"):
        door.name("stray", [S.ASSIGNED], "")  # type: ignore[list-item]


def test_values_are_plain_sorted_strings() -> None:
    assert values({S.SHIPPED, S.ACCEPTED}) == ["accepted", "shipped"]


def test_every_dispatch_move_has_one_mover() -> None:
    assert sorted(MOVED_BY) == DISPATCH_TRANSITIONS.actions()
    assert set(MOVED_BY.values()) == {"shop", "supplier", "system"}


def test_dispatch_sets_hold_what_they_always_meant() -> None:
    assert {S.ASSIGNED, S.ACCEPTED, S.PARTIALLY_SHIPPED,
            S.CANCEL_REQUESTED} == dispatch.OPEN_STATUSES
    assert {S.ACCEPTED, S.PARTIALLY_SHIPPED} == dispatch.SHIPPABLE_STATUSES
    assert {S.ASSIGNED, S.ACCEPTED, S.PARTIALLY_SHIPPED} == dispatch.HOLDABLE_STATUSES
    assert {S.PARTIALLY_SHIPPED, S.SHIPPED, S.DELIVERED, S.COMPLETED} == dispatch.SENT_STATUSES
    assert {S.SHIPPED, S.DELIVERED, S.COMPLETED} == dispatch.ALL_SHIPPED_STATUSES
    assert {S.DELIVERED, S.COMPLETED} == dispatch.ALL_DELIVERED_STATUSES
    assert {S.PARTIALLY_SHIPPED, S.SHIPPED} == dispatch.CORRECTABLE_STATUSES
    assert {S.REJECTED, S.CANCELLED} == dispatch.RELEASED_STATUSES
    assert {S.COMPLETED, S.REJECTED, S.CANCELLED} == dispatch.TERMINAL_STATUSES
    assert dispatch.RECIPIENT_VISIBLE_STATUSES == dispatch.SHIPPABLE_STATUSES


def test_late_able_is_holdable_a_cancel_request_stops_the_clock() -> None:
    assert dispatch.LATE_STATUSES == dispatch.HOLDABLE_STATUSES
    assert S.CANCEL_REQUESTED not in dispatch.LATE_STATUSES


def test_unbinding_waits_for_open_dispatch_orders_only() -> None:
    assert dispatch.UNBIND_BLOCKING == dispatch.OPEN_STATUSES
    assert S.SHIPPED not in dispatch.UNBIND_BLOCKING


def test_nothing_cancels_once_something_was_sent() -> None:
    cancels = DISPATCH_TRANSITIONS.sources("cancel", "request_cancel", "reassign")
    assert not cancels & dispatch.SENT_STATUSES


def test_released_statuses_are_terminal() -> None:
    assert dispatch.RELEASED_STATUSES <= dispatch.TERMINAL_STATUSES
    assert not dispatch.OPEN_STATUSES & dispatch.TERMINAL_STATUSES


def test_the_shops_queue_is_what_assign_fires_from() -> None:
    assert {OrderStatus.UNASSIGNED, OrderStatus.PARTIALLY_ASSIGNED} == WAITING_STATUSES


def test_a_named_terminal_set_is_the_tables_terminal_set() -> None:
    for _module, _name, table in tables():
        for group in table.named():
            if group.name == "terminal":
                assert group.statuses == table.terminal()


def test_moves_read_a_status_given_as_text() -> None:
    assert _door().moves("shut") == {"open", "lock", "remove"}
    assert _door().moves("gone") == frozenset()
    with pytest.raises(ValueError):
        _door().moves("ajar")
