"""Transition tables: statuses move only along the edges a table lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


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


class TransitionTable(Generic[S]):
    """Maps (action, current status) to the next status."""

    def __init__(self, machine: str, states: type[S],
                 edges: Iterable[tuple[str, Iterable[S] | S, S]]) -> None:
        self.machine = machine
        self.states = states
        self._edges: dict[tuple[str, S], S] = {}
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

    def edges(self) -> Mapping[tuple[str, S], S]:
        return dict(self._edges)
