"""What each side may do to a dispatch order, status by status, with and without a hold."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from daifa.dispatch.actions import Allowed, allowed, of, of_each
from daifa.dispatch.states import TERMINAL_STATUSES, DispatchStatus

S = DispatchStatus

SUPPLIER = {
    S.ASSIGNED: {"accept", "reject", "hold"},
    S.ACCEPTED: {"ship", "ship_partially", "ship_fully", "hold", "reveal", "label"},
    S.PARTIALLY_SHIPPED: {"ship", "ship_partially", "ship_fully", "hold", "reveal", "label",
                          "correct"},
    S.SHIPPED: {"correct"},
    S.DELIVERED: set(),
    S.COMPLETED: set(),
    S.REJECTED: set(),
    S.CANCEL_REQUESTED: {"accept_cancel", "refuse_cancel"},
    S.CANCELLED: set(),
}
SHOP = {
    S.ASSIGNED: {"cancel", "reassign", "hold"},
    S.ACCEPTED: {"request_cancel", "hold"},
    S.PARTIALLY_SHIPPED: {"hold"},
    S.SHIPPED: set(),
    S.DELIVERED: set(),
    S.COMPLETED: set(),
    S.REJECTED: set(),
    S.CANCEL_REQUESTED: set(),
    S.CANCELLED: set(),
}


@pytest.mark.parametrize("status", list(DispatchStatus))
def test_the_supplier_gets_its_own_moves(status: DispatchStatus) -> None:
    assert allowed(status, "supplier") == Allowed(frozenset(SUPPLIER[status]))


@pytest.mark.parametrize("status", list(DispatchStatus))
def test_the_shop_gets_its_own_moves(status: DispatchStatus) -> None:
    assert allowed(status, "shop") == Allowed(frozenset(SHOP[status]))


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
def test_nothing_is_offered_in_a_terminal_status(status: DispatchStatus) -> None:
    for side in ("shop", "supplier"):
        assert not allowed(status, side)  # type: ignore[arg-type]


def test_the_systems_moves_are_nobodys_button() -> None:
    for status in DispatchStatus:
        for side in ("shop", "supplier"):
            offered = allowed(status, side, "other", "shop").now  # type: ignore[arg-type]
            assert not offered & {"expire", "deliver", "complete"}


def test_nothing_ships_while_held_and_the_page_can_say_why() -> None:
    held = allowed(S.ACCEPTED, "supplier", "address_problem", "supplier")
    assert "ship" not in held and "ship_fully" not in held and "ship_partially" not in held
    assert held.after_release == {"ship", "ship_partially", "ship_fully"}
    assert {"reveal", "label", "release"} <= held.now
    assert "hold" not in held


def test_accepting_rejecting_and_cancelling_stay_possible_while_held() -> None:
    assert {"accept", "reject"} <= allowed(S.ASSIGNED, "supplier", "other", "shop").now
    assert {"cancel", "reassign"} <= allowed(S.ASSIGNED, "shop", "other", "supplier").now
    assert "request_cancel" in allowed(S.ACCEPTED, "shop", "other", "shop")


def test_a_hold_the_shop_placed_only_the_shop_releases() -> None:
    assert "release" not in allowed(S.ACCEPTED, "supplier", "awaiting_payment", "shop")
    assert "release" in allowed(S.ACCEPTED, "shop", "awaiting_payment", "shop")


def test_a_suppliers_hold_either_side_releases() -> None:
    assert "release" in allowed(S.ACCEPTED, "supplier", "out_of_stock", "supplier")
    assert "release" in allowed(S.ACCEPTED, "shop", "out_of_stock", "supplier")


def test_a_hold_carried_into_a_cancel_request_can_still_be_released() -> None:
    held = allowed(S.CANCEL_REQUESTED, "supplier", "out_of_stock", "supplier")
    assert held.now == {"accept_cancel", "refuse_cancel", "release"}
    assert "hold" not in allowed(S.CANCEL_REQUESTED, "shop")


def test_actions_read_an_order_and_a_page_of_them() -> None:
    one = SimpleNamespace(dispatch_order_no="DO1", status="assigned", hold_reason=None,
                          held_by=None)
    two = SimpleNamespace(dispatch_order_no="DO2", status="accepted", hold_reason="other",
                          held_by="shop")
    assert of(one, "supplier") == allowed(S.ASSIGNED, "supplier")
    page = of_each([one, two], "supplier")
    assert "accept" in page["DO1"] and "ship" not in page["DO2"]
    assert page.anywhere("accept") and page.anywhere("label") and not page.anywhere("correct")
    assert not page["DO404"]
    assert list(page["DO2"]) == sorted(page["DO2"].now)
