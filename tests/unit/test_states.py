"""Every transition table, edge by edge: what it allows, and that it refuses everything else."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import pytest

from daifa.bindings.states import (
    APPLICATION_TRANSITIONS,
    BINDING_TRANSITIONS,
    INVITATION_TRANSITIONS,
    ApplicationStatus,
    BindingStatus,
    InvitationStatus,
)
from daifa.jobs.states import JOB_TRANSITIONS, JobStatus, backoff_seconds
from daifa.kit.states import IllegalTransition, TransitionTable
from daifa.suppliers.states import SUPPLIER_TRANSITIONS, SupplierStatus

Sup, App, Inv, Bnd, Job = SupplierStatus, ApplicationStatus, InvitationStatus, BindingStatus, \
    JobStatus

EXPECTED: dict[str, tuple[TransitionTable[Any], dict[tuple[str, Any], Any]]] = {
    "supplier": (SUPPLIER_TRANSITIONS, {
        ("approve", Sup.PENDING): Sup.ACTIVE,
        ("reject", Sup.PENDING): Sup.REJECTED,
        ("suspend", Sup.ACTIVE): Sup.SUSPENDED,
        ("reinstate", Sup.SUSPENDED): Sup.ACTIVE,
    }),
    "binding_application": (APPLICATION_TRANSITIONS, {
        ("approve", App.PENDING): App.APPROVED,
        ("reject", App.PENDING): App.REJECTED,
        ("expire", App.PENDING): App.EXPIRED,
        ("cancel", App.PENDING): App.CANCELLED,
    }),
    "invitation": (INVITATION_TRANSITIONS, {
        ("use_up", Inv.ACTIVE): Inv.USED_UP,
        ("revoke", Inv.ACTIVE): Inv.REVOKED,
        ("expire", Inv.ACTIVE): Inv.EXPIRED,
    }),
    "binding": (BINDING_TRANSITIONS, {("end", Bnd.ACTIVE): Bnd.ENDED}),
    "job": (JOB_TRANSITIONS, {
        ("claim", Job.QUEUED): Job.RUNNING,
        ("finish", Job.RUNNING): Job.DONE,
        ("retry", Job.RUNNING): Job.QUEUED,
        ("give_up", Job.RUNNING): Job.FAILED,
        ("reclaim", Job.RUNNING): Job.RUNNING,
        ("release", Job.RUNNING): Job.QUEUED,
    }),
}


def _all_moves() -> list[tuple[str, str, StrEnum, bool]]:
    """Every (table, action, status) pair, flagged with whether the table should allow it."""
    cases = []
    for name, (table, edges) in EXPECTED.items():
        actions = sorted({action for action, _ in edges})
        for action in actions:
            for status in table.states:
                cases.append((name, action, status, (action, status) in edges))
    return cases


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_table_has_exactly_the_documented_edges(name: str) -> None:
    table, edges = EXPECTED[name]
    assert table.machine == name
    assert dict(table.edges()) == edges


@pytest.mark.parametrize(("name", "action", "status", "allowed"), _all_moves(),
                         ids=lambda v: str(v))
def test_move(name: str, action: str, status: StrEnum, allowed: bool) -> None:
    table, edges = EXPECTED[name]
    assert table.allows(status, action) is allowed
    if allowed:
        move = table.next(status, action)
        assert (move.action, move.source, move.target) == (action, status, edges[(action,
                                                                                   status)])
        assert action in table.actions_from(status)
    else:
        with pytest.raises(IllegalTransition) as raised:
            table.next(status, action)
        assert (raised.value.machine, raised.value.current, raised.value.action) == (
            name, status, action)
        assert action not in table.actions_from(status)


@pytest.mark.parametrize("terminal", [Sup.REJECTED, App.APPROVED, App.REJECTED, App.EXPIRED,
                                      App.CANCELLED, Inv.USED_UP, Inv.REVOKED, Inv.EXPIRED,
                                      Bnd.ENDED, Job.DONE, Job.FAILED])
def test_terminal_statuses_have_no_way_out(terminal: StrEnum) -> None:
    tables = [table for table, _ in EXPECTED.values() if table.states is type(terminal)]
    assert tables and tables[0].actions_from(terminal) == []


def test_unknown_actions_are_refused() -> None:
    with pytest.raises(IllegalTransition):
        SUPPLIER_TRANSITIONS.next(Sup.PENDING, "activate")
    assert not BINDING_TRANSITIONS.allows(Bnd.ACTIVE, "reactivate")


def test_edges_are_a_copy() -> None:
    edges = dict(BINDING_TRANSITIONS.edges())
    edges[("end", Bnd.ENDED)] = Bnd.ACTIVE
    assert not BINDING_TRANSITIONS.allows(Bnd.ENDED, "end")


def test_a_table_accepts_several_sources_for_one_action() -> None:
    table = TransitionTable("door", Inv, [("close", [Inv.ACTIVE, Inv.EXPIRED], Inv.REVOKED)])
    assert table.next(Inv.EXPIRED, "close").target is Inv.REVOKED
    assert table.actions_from(Inv.ACTIVE) == ["close"]


@pytest.mark.parametrize(("attempts", "seconds"),
                         [(0, 10), (1, 10), (2, 20), (3, 40), (4, 80), (9, 2560), (10, 3600),
                          (50, 3600)])
def test_job_backoff_doubles_and_caps_at_an_hour(attempts: int, seconds: int) -> None:
    assert backoff_seconds(attempts) == seconds
