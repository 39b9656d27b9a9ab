"""Request plumbing: who is calling, and one unit of work per request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from daifa.config import Settings
from daifa.context import Actor, Ctx, Scope
from daifa.db.uow import Database
from daifa.errors import Unauthenticated
from daifa.identity import service as identity
from daifa.kit.clock import Clock
from daifa.kit.ids import token_digest

bearer = HTTPBearer(auto_error=False, description="A session token or an API key")


@dataclass
class Hub:
    """What the app was built with: created once by create_app, shared by all requests."""

    settings: Settings
    db: Database
    clock: Clock
    # API key digest → when this process last committed its `last_used_at`, so a busy key
    # does not ask for the UPDATE (a no-op within the minute) on every write.
    touched: dict[str, datetime] = field(default_factory=dict)

    def touch_due(self, digest: str, now: datetime) -> bool:
        last = self.touched.get(digest)
        return last is None or now - last >= identity.TOUCH_EVERY or now < last

    def touched_at(self, digest: str, now: datetime) -> None:
        if len(self.touched) > 10_000:
            self.touched.clear()
        self.touched[digest] = now


def hub(request: Request) -> Hub:
    value: Hub = request.app.state.hub
    return value


@dataclass
class Call:
    """One API call: opens the unit of work and resolves who acts inside it."""

    hub: Hub
    token: str | None
    write: bool

    @contextmanager
    def ctx(self, *, anonymous: bool = False) -> Iterator[Ctx]:
        touched: list[tuple[str, datetime]] = []
        with self.hub.db.unit_of_work(write=self.write) as session:
            actor = self._actor(session, anonymous, touched)
            yield Ctx(session=session, actor=actor, settings=self.hub.settings,
                      clock=self.hub.clock)
        for digest, now in touched:  # only once committed
            self.hub.touched_at(digest, now)

    def _actor(self, session: Session, anonymous: bool,
               touched: list[tuple[str, datetime]]) -> Actor:
        if self.token is None:
            if anonymous:
                return Actor(scope=Scope.PERSON, label="anonymous")
            raise Unauthenticated()
        actor = identity.actor_for_token(session, self.token, self.hub.clock)
        if self.write and actor.scope is not Scope.PERSON:
            digest, now = token_digest(self.token), self.hub.clock.now()
            if self.hub.touch_due(digest, now):
                identity.touch(session, self.token, self.hub.clock)
                touched.append((digest, now))
        return actor


def _call(write: bool) -> Callable[..., Call]:
    def dependency(request: Request,
                   credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Call:
        token = credentials.credentials if credentials else None
        return Call(hub=hub(request), token=token, write=write)

    return dependency


def _anonymous_call(write: bool) -> Callable[..., Call]:
    """For public endpoints (sign-up, sign-in, invitation links): no security declared."""

    def dependency(request: Request) -> Call:
        return Call(hub=hub(request), token=None, write=write)

    return dependency


reader = _call(write=False)
writer = _call(write=True)
public_reader = _anonymous_call(write=False)
public_writer = _anonymous_call(write=True)
