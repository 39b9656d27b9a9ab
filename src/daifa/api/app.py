"""The REST API: its routers under /api/v1 and its error handling, installed into the app."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from daifa.api import problems
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


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1", responses=problems.PROBLEM_RESPONSES)
    for module in (auth, suppliers, shops, bindings, admin, catalog, dispatch_settings, orders,
                   dispatch_orders, fulfilment, supplier_fulfilment, webhooks,
                   tracking, after_sales, imports):
        router.include_router(module.router)
    return router


def install(app: FastAPI) -> None:
    """The API under /api/v1 and its problem+json error handlers."""
    problems.install(app)
    app.include_router(api_router())
