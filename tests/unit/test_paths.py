"""The route index finds, for any path, the route a walk through every route in order finds."""

from __future__ import annotations

import re

import pytest
from starlette.routing import BaseRoute, Match, Route

from daifa import paths
from daifa.app import create_app
from daifa.config import Settings


def _walk(routes: list[BaseRoute], scope: dict[str, object]) -> tuple[Match, BaseRoute | None]:
    """Starlette's own rule: the first full match, else the first partial one."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return match, route
        if match is Match.PARTIAL and partial is None:
            partial = route
    return (Match.PARTIAL, partial) if partial is not None else (Match.NONE, None)


def _scope(path: str, method: str) -> dict[str, object]:
    return {"type": "http", "path": path, "root_path": "", "method": method}


@pytest.fixture(scope="module")
def app_routes(tmp_path_factory: pytest.TempPathFactory) -> list[BaseRoute]:
    var = tmp_path_factory.mktemp("var")
    app = create_app(Settings(database_url=f"sqlite:///{var}/d.db", var_dir=var,
                              secret_key="x"))
    return paths.routes(app)


def _samples(routes: list[BaseRoute]) -> list[tuple[str, str]]:
    samples = []
    for route in routes:
        path = getattr(route, "path", "")
        filled = re.sub(r"\{[^}:]+(:path)?\}", lambda m: "a/b" if m.group(1) else "x1", path)
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            samples += [(filled, method), (filled, "PATCH"), (filled + "/", method)]
    return [*samples, ("/api/v1/nope", "GET"), ("/", "GET"), ("/static/app.css", "GET"),
            ("/api/v1", "GET"), ("/api/v1/shops/x1/orders/x2/unknown", "POST")]


def test_the_index_matches_exactly_what_the_walk_matches(app_routes: list[BaseRoute]) -> None:
    index = paths.PathIndex(app_routes)
    assert len(app_routes) > 200
    for path, method in _samples(app_routes):
        scope = _scope(path, method)
        expected, route = _walk(app_routes, scope)
        match, child = index.matches(scope)
        assert match is expected, (path, method)
        assert child.get(paths.MATCHED) is route, (path, method)


def test_the_first_registered_of_two_matching_routes_wins() -> None:
    async def first() -> None: ...

    async def second() -> None: ...

    literal = Route("/a/b/c", second, methods=["GET"])
    shaped = Route("/a/{x}/c", first, methods=["GET"])
    for routes, winner in (([shaped, literal], shaped), ([literal, shaped], literal)):
        _, child = paths.PathIndex(routes).matches(_scope("/a/b/c", "GET"))
        assert child[paths.MATCHED] is winner
