"""What every command shares: the console for messages, and one unit of work per command."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.markup import escape

from daifa.config import load_settings
from daifa.context import Actor, Ctx
from daifa.db.engine import make_engine
from daifa.db.uow import Database
from daifa.errors import DaifaError
from daifa.fulfilment.reactions import REACTIONS
from daifa.identity import passwords

console = Console(stderr=True)

EXIT_CODES = {404: 4, 409: 5, 422: 2, 401: 3, 403: 3, 429: 6}


@contextmanager
def command_ctx(label: str = "cli") -> Iterator[Ctx]:
    """One unit of work for one CLI command; domain errors become a message and an exit code."""
    settings = load_settings()
    passwords.use_profile(settings.password_profile)
    db = Database(make_engine(settings.database_url))
    try:
        with exits(), db.unit_of_work() as session:
            yield Ctx(session=session, actor=Actor.system(label), settings=settings,
                      reactions=REACTIONS, commit_point=lambda: db.checkpoint(session))
    finally:
        db.dispose()


@contextmanager
def exits() -> Iterator[None]:
    """A domain error becomes a message and the exit code of its status."""
    try:
        yield
    except DaifaError as exc:
        console.print(f"[red]{exc.code}[/red]: {escape(exc.detail)}")
        raise typer.Exit(EXIT_CODES.get(exc.status, 1)) from exc
