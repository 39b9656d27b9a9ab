"""Transition tables: statuses move only along the edges a table lists.

A table also answers questions about groups of statuses (where an action fires from, what no edge
leaves, what a move can lead to), so the groups the code needs are derived from the edges, and
named once beside the table (`name`), which keeps them from drifting apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


def values(statuses: Iterable[StrEnum]) -> list[str]:
    """The statuses as plain strings in a stable order, for `column.in_(...)`."""
    return sorted(status.value for status in statuses)


class IllegalTransition(Exception):
    """Raised by a table when asked for an edge it does not have."""

    def __init__(self, machine: str, current: str, action: str) -> None:
        super().__init__(f"{machine}: cannot {action} from {current}")
        self.machine = machine
        self.current = current
        self.action = action


@dataclass(frozen=True)
class Transition(Generic[S]):
    action: str
    source: S
    target: S


@dataclass(frozen=True)
class StatusSet(Generic[S]):
    """A group of statuses with a name and what it means, as the docs print it."""

    name: str
    statuses: frozenset[S]
    meaning: str


class TransitionTable(Generic[S]):
    """Maps (action, current status) to the next status."""

    def __init__(self, machine: str, states: type[S],
                 edges: Iterable[tuple[str, Iterable[S] | S, S]]) -> None:
        self.machine = machine
        self.states = states
        self._edges: dict[tuple[str, S], S] = {}
        self._named: dict[str, StatusSet[S]] = {}
        for action, sources, target in edges:
            for source in [sources] if isinstance(sources, StrEnum) else sources:
                self._edges[(action, source)] = target

    def next(self, current: S, action: str) -> Transition[S]:
        target = self._edges.get((action, current))
        if target is None:
            raise IllegalTransition(self.machine, current, action)
        return Transition(action, current, target)

    def allows(self, current: S, action: str) -> bool:
        return (action, current) in self._edges

    def actions_from(self, current: S) -> list[str]:
        return sorted(action for action, source in self._edges if source == current)

    def moves(self, status: str) -> frozenset[str]:
        """The actions from a status given as text, as rows and API models carry it."""
        return frozenset(self.actions_from(self.states(status)))

    def edges(self) -> Mapping[tuple[str, S], S]:
        return dict(self._edges)

    def actions(self) -> list[str]:
        return sorted({action for action, _ in self._edges})

    def sources(self, *actions: str) -> frozenset[S]:
        """The statuses any of `actions` fires from."""
        self._check(actions)
        return frozenset(source for action, source in self._edges if action in actions)

    def targets(self, *actions: str) -> frozenset[S]:
        """The statuses any of `actions` leads to."""
        self._check(actions)
        return frozenset(target for (action, _), target in self._edges.items()
                         if action in actions)

    def terminal(self) -> frozenset[S]:
        """The statuses no edge leaves."""
        return frozenset(self.states) - {source for _, source in self._edges}

    def reachable(self, statuses: Iterable[S]) -> frozenset[S]:
        """`statuses` and every status some chain of moves leads to from them."""
        seen = set(statuses)
        frontier = list(seen)
        while frontier:
            current = frontier.pop()
            for (_, source), target in self._edges.items():
                if source == current and target not in seen:
                    seen.add(target)
                    frontier.append(target)
        return frozenset(seen)

    def name(self, name: str, statuses: Iterable[S], meaning: str) -> frozenset[S]:
        """Record a group of this table's statuses under `name` (for the docs); returns it."""
        chosen = frozenset(statuses)
        if name in self._named:
            raise ValueError(f"{self.machine}: status set {name!r} named twice")
        if not chosen <= frozenset(self.states):
            raise ValueError(f"{self.machine}: {name!r} holds statuses of another table")
        self._named[name] = StatusSet(name, chosen, meaning)
        return chosen

    def named(self) -> list[StatusSet[S]]:
        """The named status sets, in the order they were named."""
        return list(self._named.values())

    def _check(self, actions: Iterable[str]) -> None:
        unknown = set(actions) - {action for action, _ in self._edges}
        if unknown:
            raise ValueError(f"{self.machine}: no action {', '.join(sorted(unknown))}")
