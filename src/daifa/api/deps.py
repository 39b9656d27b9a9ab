"""Request plumbing: who is calling, and one unit of work per request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from daifa.context import Actor, Ctx, Scope
from daifa.errors import Unauthenticated
from daifa.hub import Hub
from daifa.identity import service as identity
from daifa.kit.ids import token_digest

bearer = HTTPBearer(auto_error=False, description="A session token or an API key")


def hub(request: Request) -> Hub:
    value: Hub = request.app.state.hub
    return value


@dataclass
class Call:
    """One API call: opens the unit of work and resolves who acts inside it."""

    hub: Hub
    token: str | None
    write: bool
    actor: Actor | None = None  # found by api.guard before the body was read

    @contextmanager
    def ctx(self, *, anonymous: bool = False, read_only: bool = False) -> Iterator[Ctx]:
        """`read_only`: a look before the work (e.g. whose upload this is), holding no lock."""
        touched: list[tuple[str, datetime]] = []
        write = self.write and not read_only
        with self.hub.db.unit_of_work(write=write) as session:
            actor = self._actor(session, anonymous, touched, write)
            yield self.hub.ctx(session, actor)
        for digest, now in touched:  # only once committed
            self.hub.touched_at(digest, now)

    def _actor(self, session: Session, anonymous: bool, touched: list[tuple[str, datetime]],
               write: bool) -> Actor:
        if self.token is None:
            if anonymous:
                return Actor(scope=Scope.PERSON, label="anonymous")
            raise Unauthenticated()
        actor = self.actor or identity.actor_for_token(session, self.token, self.hub.clock)
        if write and actor.scope is not Scope.PERSON:
            digest, now = token_digest(self.token), self.hub.clock.now()
            if self.hub.touch_due(digest, now):
                identity.touch(session, self.token, self.hub.clock)
                touched.append((digest, now))
        return actor


def _call(write: bool) -> Callable[..., Call]:
    def dependency(request: Request,
                   credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Call:
        token = credentials.credentials if credentials else None
        actor: Actor | None = getattr(request.state, "actor", None)
        return Call(hub=hub(request), token=token, write=write, actor=actor)

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
