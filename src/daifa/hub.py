"""What the server was built with, shared by every request of every surface (API, console),
and the unit of work's context each of them hands to the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from daifa.identity import service as identity
from daifa.kit.clock import Clock


@dataclass
class Hub:
    """What the app was built with: created once by create_app, shared by all requests."""

    settings: Settings
    db: Database
    clock: Clock
    # API key digest → when this process last committed its `last_used_at`, so a busy key
    # does not ask for the UPDATE (a no-op within the minute) on every write.
    touched: dict[str, datetime] = field(default_factory=dict)

    def ctx(self, session: Session, actor: Actor) -> Ctx:
        """The context of one unit of work, with the reactions between packages."""
        return Ctx(session=session, actor=actor, settings=self.settings, clock=self.clock,
                   reactions=REACTIONS, commit_point=lambda: self.db.checkpoint(session))

    def actor_for(self, token: str) -> Actor:
        """Who a bearer token speaks for, in a read of its own (InvalidToken when none)."""
        with self.db.unit_of_work(write=False) as session:
            return identity.actor_for_token(session, token, self.clock)

    def touch_due(self, digest: str, now: datetime) -> bool:
        last = self.touched.get(digest)
        return last is None or now - last >= identity.TOUCH_EVERY or now < last

    def touched_at(self, digest: str, now: datetime) -> None:
        if len(self.touched) > 10_000:
            self.touched.clear()
        self.touched[digest] = now
