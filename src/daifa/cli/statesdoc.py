"""docs/states.md, generated from the transition tables so it cannot drift from the code."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from enum import StrEnum

import daifa
from daifa.kit.states import TransitionTable

HEADER = """# State machines

Generated from the transition tables in `src/daifa/*/states.py` by `daifa docs states --write`
(a test fails when this file is out of date). A move not listed here is refused with
409 `INVALID_TRANSITION` and changes nothing.
"""


def tables() -> Iterator[tuple[str, str, TransitionTable]]:  # type: ignore[type-arg]
    for module_info in sorted(pkgutil.walk_packages(daifa.__path__, "daifa."),
                              key=lambda m: m.name):
        if not module_info.name.endswith(".states"):
            continue
        module = importlib.import_module(module_info.name)
        for name, value in sorted(vars(module).items()):
            if isinstance(value, TransitionTable) and not name.startswith("_"):
                yield module_info.name, name, value


def render() -> str:
    parts = [HEADER]
    for module, name, table in tables():
        parts.append(f"\n## {table.machine.replace('_', ' ')}\n\n`{module}.{name}`; "
                     f"statuses: {', '.join(f'`{s}`' for s in table.states)}.\n")
        parts.append("\n```mermaid\nstateDiagram-v2\n")
        for (action, source), target in sorted(table.edges().items()):
            parts.append(f"    {source} --> {target}: {action}\n")
        parts.append("```\n\n| action | from | to |\n|---|---|---|\n")
        for (action, source), target in sorted(table.edges().items()):
            parts.append(f"| {action} | `{source}` | `{target}` |\n")
        parts.append(_sets(table))
    return "".join(parts)


def _statuses(table: TransitionTable, chosen: frozenset[StrEnum]) -> str:  # type: ignore[type-arg]
    """In the order the table declares its statuses."""
    return ", ".join(f"`{s}`" for s in table.states if s in chosen) or "—"


def _sets(table: TransitionTable) -> str:  # type: ignore[type-arg]
    """The statuses no edge leaves, then the groups the code names (`TransitionTable.name`)."""
    lines = [f"\nTerminal (no move leaves): {_statuses(table, table.terminal())}.\n"]
    if table.named():
        lines.append("\n| status set | statuses | meaning |\n|---|---|---|\n")
        lines += [f"| {group.name} | {_statuses(table, group.statuses)} | {group.meaning} |\n"
                  for group in table.named()]
    return "".join(lines)
