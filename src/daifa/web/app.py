"""The web console: server-rendered pages for merchants, suppliers and platform admins.

`install(app)` is called by `create_app`: it builds the console (catalogs, templates) once,
serves the static files and adds the console's routes and its two error pages.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from daifa.web.messages import explain
from daifa.web.page import ConsoleError, SignInRequired
from daifa.web.render import STATIC_DIR, Console
from daifa.web.routes import (
    admin,
    aftersales,
    auth,
    dispatch,
    fulfilment,
    home,
    inbox,
    invite,
    order_upload,
    orders,
    shipping_upload,
    shop_catalog,
    shop_fulfilment,
    shops,
    suppliers,
    supply_catalog,
    tracking,
    webhooks,
    work,
)


def _sign_in_required(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    response: Response = exc.page.redirect(exc.page.sign_in_url())
    return response


def _console_error(_request: Request, exc: Exception) -> Response:
    """A domain error that ends a console request: an error page with its status and code."""
    assert isinstance(exc, ConsoleError)
    current = exc.page
    return current.render("error.html", status_code=exc.error.status,
                          error=explain(exc.error, current.gettext))


def install(app: FastAPI) -> None:
    app.state.console = Console(app.state.hub.settings)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    pages = (supply_catalog, shop_catalog, dispatch, orders, order_upload, inbox)
    fulfilment_pages = (work, fulfilment, shipping_upload, shop_fulfilment, aftersales)
    for module in (home, auth, shops, suppliers, invite, admin, webhooks, tracking, *pages,
                   *fulfilment_pages):
        app.router.routes.extend(module.router.routes)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(ConsoleError, _console_error)
