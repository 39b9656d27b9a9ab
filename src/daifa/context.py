"""What every service call receives: the session of its unit of work, who acts, and when."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy.orm import Session

from daifa.config import Settings
from daifa.kit.clock import Clock, SystemClock


class Scope(StrEnum):
    PERSON = "person"  # a signed-in account, acting for every organisation it owns
    SHOP = "shop"  # an API key of one shop
    SUPPLIER = "supplier"  # an API key of one supplier
    SYSTEM = "system"  # the worker and the CLI


@dataclass(frozen=True)
class Actor:
    scope: Scope
    account_id: int | None = None
    org_id: int | None = None  # the shop's or supplier's row id for an API key
    is_admin: bool = False
    label: str = ""

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(scope=Scope.SYSTEM, label=label)

    def may_act_for(self, org_scope: Scope, org_id: int, owner_account_id: int) -> bool:
        """Whether this actor speaks for the shop or supplier with that row id and owner."""
        if self.scope is Scope.PERSON:
            return self.account_id == owner_account_id
        return self.scope is org_scope and self.org_id == org_id


class Reactions(Protocol):
    """What happens when something happened: the table of event → handlers that the composition
    root passes in (fulfilment.reactions), so a package announces what happened without knowing
    who reacts."""

    def run(self, ctx: Ctx, event: object) -> None: ...


class NoReactions:
    """For a unit of work in which nothing reacts (a migration, a bare test)."""

    def run(self, ctx: Ctx, event: object) -> None:
        return None


@dataclass
class Ctx:
    session: Session
    actor: Actor
    settings: Settings
    clock: Clock = field(default_factory=SystemClock)
    reactions: Reactions = field(default_factory=NoReactions)
    # What one unit of work looked up and may need again (never outlives the transaction).
    memo: dict[str, Any] = field(default_factory=dict)
    # The unit of work's safe point for long writes: commit what is done and let other
    # writers in (see Database.checkpoint); nothing where the caller has no such unit.
    commit_point: Callable[[], None] = field(default=lambda: None)

    def now(self) -> datetime:
        return self.clock.now()

    def checkpoint(self) -> None:
        """Between chunks of a long write: what is done so far may be committed here."""
        self.memo.clear()
        self.commit_point()

    def publish(self, event: object) -> None:
        """Run the reactions to `event` now, in this transaction: an error in one of them
        rolls back the whole unit of work, like an error of the caller."""
        self.reactions.run(self, event)
