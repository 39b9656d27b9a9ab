"""The app's routes looked up by their path's literal segments instead of tried one by one.

Starlette (and FastAPI's routers) try every route's pattern in turn until one matches; with
some 270 routes under nested routers that walk was about three quarters of a trivial request's
time, and an unknown path walked them all twice (once more for the trailing-slash redirect).
`PathIndex` files each route under its segment count and the literal segments before its first
parameter; a request is tried only against the routes filed under its own path's prefixes (and
the few that can span segments: mounts and `{name:path}` parameters), in the order they were
registered, so what matches is exactly what the walk would have found.

Routes are registered flat, with their whole path (`APIRouter(prefix=...)` and no nested
`include_router`), and `install` replaces the app's route list with one index over them;
`routes` still lists them all (the OpenAPI document is built from it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

MATCHED = "daifa.route"
Key = tuple[int, tuple[str, ...]]


def _literal_prefix(path: str) -> tuple[str, ...] | None:
    """The segments before the first parameter; None when a parameter may span segments."""
    if ":path}" in path:
        return None
    segments: list[str] = []
    for segment in path.split("/")[1:]:
        if "{" in segment:
            break
        segments.append(segment)
    return tuple(segments)


def _key(route: BaseRoute) -> Key | None:
    path = getattr(route, "path", None)
    methods = getattr(route, "methods", None)
    if not isinstance(path, str) or methods is None:  # a mount, a websocket ...
        return None
    prefix = _literal_prefix(path)
    return None if prefix is None else (path.count("/"), prefix)


class PathIndex(BaseRoute):
    """All the app's routes as one, matched through an index (see the module's docstring)."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.routes = list(routes)
        self._order = {id(route): n for n, route in enumerate(self.routes)}
        self._filed: dict[Key, list[BaseRoute]] = {}
        self._anywhere: list[BaseRoute] = []
        for route in self.routes:
            key = _key(route)
            if key is None:
                self._anywhere.append(route)
            else:
                self._filed.setdefault(key, []).append(route)

    def candidates(self, path: str) -> list[BaseRoute]:
        segments = path.split("/")[1:]
        count = len(segments)
        found = [self._filed.get((count, tuple(segments[:size])))
                 for size in range(count, -1, -1)]
        lists = [routes for routes in found if routes] + [self._anywhere]
        if len(lists) == 1:
            return lists[0]
        return sorted((route for routes in lists for route in routes),
                      key=lambda route: self._order[id(route)])

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        partial: Scope | None = None
        path = scope.get("route_path") or scope["path"][len(scope.get("root_path", "")):]
        for route in self.candidates(path):
            match, child = route.matches(scope)
            if match is Match.FULL:
                return Match.FULL, {**child, MATCHED: route}
            if match is Match.PARTIAL and partial is None:
                partial = {**child, MATCHED: route}
        if partial is not None:
            return Match.PARTIAL, partial
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        route: BaseRoute = scope[MATCHED]
        await route.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)

    def __iter__(self) -> Iterator[BaseRoute]:
        return iter(self.routes)


def routes(app: FastAPI) -> list[BaseRoute]:
    """The app's routes, flat, whether or not the index is installed yet."""
    found: list[BaseRoute] = []
    for route in app.router.routes:
        found.extend(route.routes if isinstance(route, PathIndex) else [route])
    return found


def install(app: FastAPI) -> None:
    """Serve the app's routes, as registered so far, through one index."""
    app.router.routes[:] = [PathIndex(routes(app))]
