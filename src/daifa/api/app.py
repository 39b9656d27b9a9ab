"""create_app(settings): builds the engine, the API and the console; nothing at import time."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from daifa import __version__
from daifa.api import embedded, problems
from daifa.api.deps import Hub
from daifa.api.v1 import (
    admin,
    auth,
    bindings,
    catalog,
    dispatch_orders,
    dispatch_settings,
    fulfilment,
    orders,
    shops,
    supplier_fulfilment,
    suppliers,
    tracking,
    webhooks,
)
from daifa.config import Settings
from daifa.db.engine import make_engine
from daifa.db.uow import Database
from daifa.identity import passwords
from daifa.kit.clock import Clock, SystemClock

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
                   tracking):
        router.include_router(module.router)
    return router


def create_app(settings: Settings, *, clock: Clock | None = None,
               database: Database | None = None) -> FastAPI:
    passwords.use_profile(settings.password_profile)
    app = FastAPI(title="daifa", version=__version__, description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None,
                  lifespan=embedded.lifespan)
    app.state.hub = Hub(settings=settings,
                        db=database or Database(make_engine(settings.database_url)),
                        clock=clock or SystemClock())
    problems.install(app)
    app.include_router(api_router())
    from daifa.web.app import install as install_console

    install_console(app)
    return app
