"""The REST API: its routers under /api/v1 and its error handling, installed into the app."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from daifa.api import health, metrics, problems, rates
from daifa.api.v1 import (
    admin,
    after_sales,
    auth,
    bindings,
    catalog,
    dispatch_orders,
    dispatch_settings,
    fulfilment,
    imports,
    orders,
    shops,
    supplier_fulfilment,
    suppliers,
    tracking,
    webhooks,
)

DESCRIPTION = """
daifa (代发) is a dropship supply-chain hub: suppliers onboard and get a Supplier ID, shops bind
them by invitation or application, and orders flow to the right supplier.

Errors are `application/problem+json` with a stable `code`. Authenticate with
`Authorization: Bearer <token>` from `POST /api/v1/auth/token`, or an organisation's API key.
"""


MODULES = (auth, suppliers, shops, bindings, admin, catalog, dispatch_settings, orders,
           dispatch_orders, fulfilment, supplier_fulfilment, webhooks, tracking, after_sales,
           imports)


def api_routes() -> list[BaseRoute]:
    """Every route under /api/v1, in the order they are tried, each documenting the problem
    answers any operation may give."""
    routes: list[BaseRoute] = []
    for module in MODULES:
        for route in module.router.routes:
            if isinstance(route, APIRoute):
                route.responses = {**problems.PROBLEM_RESPONSES, **route.responses}
            routes.append(route)
    return routes


# Pydantic writes a bound stacked on a type that has a validator of its own (`Int` and the types
# built on it, such as `Fen`, or `Int | None` with bounds) under its own names; JSON Schema
# readers (client generators, validators, fuzzers) only know these.
_BOUNDS = {"ge": ("minimum", max), "le": ("maximum", min),
           "gt": ("exclusiveMinimum", max), "lt": ("exclusiveMaximum", min)}


def json_schema_bounds(node: Any) -> None:
    """Turn pydantic's `ge`/`le`/`gt`/`lt` into the JSON Schema keywords in place, keeping the
    tighter bound where both are written (validation enforces both)."""
    if isinstance(node, list):
        for item in node:
            json_schema_bounds(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in ("integer", "number"):
        for raw, (keyword, tighter) in _BOUNDS.items():
            value = node.get(raw)
            if isinstance(value, int | float) and not isinstance(value, bool):
                del node[raw]
                node[keyword] = tighter(value, node[keyword]) if keyword in node else value
    if node.get("type") == "integer":
        _whole_bounds(node)
    for value in node.values():
        json_schema_bounds(value)


def _whole_bounds(node: dict[str, Any]) -> None:
    """An integer's bounds as integers: pydantic may write 2**62 as 4.611686018427388e+18,
    which a reader takes for 4611686018427388000, past the bound."""
    for keyword, _ in _BOUNDS.values():
        value = node.get(keyword)
        if isinstance(value, float) and value.is_integer():
            node[keyword] = int(value)


def install(app: FastAPI) -> None:
    """The API under /api/v1, the health checks and metrics, its problem+json error handlers
    and its rate limiter."""
    problems.install(app)
    rates.install(app)
    app.router.routes.extend(health.router.routes)
    app.router.routes.extend(metrics.router.routes)
    app.router.routes.extend(api_routes())
