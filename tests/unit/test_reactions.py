"""The reactions table: every event a package publishes has its row, and handlers run in order,
may publish further events, and stop the unit of work by raising."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest

import daifa
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.fulfilment.reactions import HANDLERS, Table

SRC = Path(daifa.__file__).parent


def _published() -> dict[str, str]:
    """Event class name → where `ctx.publish(Event(...))` is written."""
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "publish" and node.args
                    and isinstance(node.args[0], ast.Call)
                    and isinstance(node.args[0].func, ast.Name)):
                found.setdefault(node.args[0].func.id,
                                 f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_every_published_event_has_a_row_in_the_table() -> None:
    published = _published()
    assert {"DispatchOrderMoved", "DispatchOrdersCreated", "AutoAccepted", "BindingEnding",
            "ShippedByFile"} <= set(published)
    rows = {event.__name__ for event in HANDLERS}
    assert {name: where for name, where in published.items() if name not in rows} == {}


def test_every_row_reacts_with_something() -> None:
    assert all(handlers for handlers in HANDLERS.values())


@dataclass
class First:
    n: int


@dataclass
class Second:
    n: int


def _ctx(table: Table) -> Ctx:
    return Ctx(session=cast(Any, None), actor=Actor.system("test"), settings=Settings(),
               reactions=table)


def test_handlers_run_in_the_order_listed_and_may_publish_more() -> None:
    seen: list[str] = []

    def one(ctx: Ctx, event: First) -> None:
        seen.append(f"one:{event.n}")
        ctx.publish(Second(event.n + 1))

    def two(ctx: Ctx, event: First) -> None:
        seen.append(f"two:{event.n}")

    def after(ctx: Ctx, event: Second) -> None:
        seen.append(f"after:{event.n}")

    _ctx(Table({First: [one, two], Second: [after]})).publish(First(1))
    assert seen == ["one:1", "after:2", "two:1"]


def test_an_event_nobody_reacts_to_runs_nothing() -> None:
    _ctx(Table({})).publish(First(1))


def test_a_handler_that_raises_stops_the_ones_after_it() -> None:
    seen: list[str] = []

    def refuse(ctx: Ctx, event: First) -> None:
        raise LookupError("refused")

    def later(ctx: Ctx, event: First) -> None:
        seen.append("later")

    with pytest.raises(LookupError):
        _ctx(Table({First: [refuse, later]})).publish(First(1))
    assert seen == []
