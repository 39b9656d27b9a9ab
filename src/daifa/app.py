"""create_app(settings): the whole hub as one ASGI app (the API, the console and, when asked,
the worker in the same process); nothing is built at import time. `build` is the factory
`daifa serve` hands to the server.

The embedded worker is meant for the single-machine SQLite set-up (`make run`), where a second
process would only compete for the one write lock: it shares the app's Database, so its writes
queue with the requests'. Larger set-ups run `daifa worker` processes instead.
"""

from __future__ import annotations

import gzip
import logging
import threading
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from daifa import __version__, paths
from daifa.api import app as api
from daifa.api import limits, metrics, problems
from daifa.config import Settings, load_settings
from daifa.db.engine import api_pool, make_engine
from daifa.db.uow import Database
from daifa.hub import Hub
from daifa.identity import passwords
from daifa.kit import runtime
from daifa.kit.clock import Clock, SystemClock
from daifa.web import app as console
from daifa.worker import Worker

log = logging.getLogger("daifa.worker")


def _run(hub: Hub, stop: threading.Event) -> None:
    try:
        Worker(settings=hub.settings, db=hub.db, clock=hub.clock).run_forever(stop=stop)
    except Exception:  # the API keeps serving; the log says why jobs stopped
        log.exception("embedded worker stopped")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    hub: Hub = app.state.hub
    if not hub.settings.embedded_worker:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=_run, args=(hub, stop), name="daifa-worker", daemon=True)
    thread.start()
    log.info("embedded worker started")
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


OPENAPI_URL = "/openapi.json"
# How `daifa serve` runs uvicorn (bench/http_overhead.py starts its bare baseline the same
# way): the uvloop event loop and the httptools parser, measured in docs/adr/0009-request-path.md.
SERVER_OPTIONS: dict[str, Any] = {"loop": "uvloop", "http": "httptools"}
HSTS = "max-age=31536000"  # a year; subdomains are the operator's own business


def response_headers(settings: Settings) -> list[tuple[bytes, bytes]]:
    """What every response carries, API, console and static files alike: no content sniffing
    (a JSON error or an uploaded file is never run as a script or page), and HTTPS only from
    now on once the cookies are `Secure` (`cookie_secure`: the hub is served over HTTPS)."""
    headers = [(b"x-content-type-options", b"nosniff")]
    if settings.cookie_secure:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


class ResponseHeaders:
    """ASGI middleware adding `headers` to every HTTP response that does not set them."""

    def __init__(self, app: ASGIApp, headers: Iterable[tuple[bytes, bytes]]) -> None:
        self.app = app
        self.headers = list(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((n, v) for n, v in self.headers if n not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _documents(app: FastAPI) -> None:
    """/openapi.json, built once on first use and then served as the same bytes (gzipped for
    clients that take it: a megabyte of JSON is 37 KB so), and /docs."""
    rendered: dict[str, bytes] = {}
    building = threading.Lock()

    def openapi() -> dict[str, Any]:
        with building:
            if app.openapi_schema is None:
                schema = get_openapi(title=app.title, version=app.version,
                                     description=app.description, routes=paths.routes(app))
                api.json_schema_bounds(schema)
                app.openapi_schema = schema
        return app.openapi_schema

    def render() -> None:
        body = orjson.dumps(openapi())
        rendered.update(gzip=gzip.compress(body, 6), identity=body)

    async def openapi_json(request: Request) -> Response:
        if not rendered:
            await run_in_threadpool(render)
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(rendered["gzip"], media_type="application/json",
                            headers={"content-encoding": "gzip", "vary": "accept-encoding"})
        return Response(rendered["identity"], media_type="application/json",
                        headers={"vary": "accept-encoding"})

    async def docs(_request: Request) -> Response:
        return get_swagger_ui_html(openapi_url=OPENAPI_URL, title=f"{app.title} - Swagger UI")

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_route(OPENAPI_URL, openapi_json, include_in_schema=False)
    app.add_route("/docs", docs, include_in_schema=False)


def create_app(settings: Settings, *, clock: Clock | None = None,
               database: Database | None = None) -> FastAPI:
    passwords.use_profile(settings.password_profile)
    app = FastAPI(title="daifa", version=__version__, description=api.DESCRIPTION,
                  openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan)
    app.state.hub = Hub(settings=settings,
                        db=database or Database(make_engine(
                            settings.database_url,
                            statement_seconds=settings.upload_time_budget_seconds,
                            **api_pool(settings.db_pool_size))),
                        clock=clock or SystemClock())
    api.install(app)
    console.install(app)
    _documents(app)
    paths.install(app)  # after every route is in
    app.add_middleware(limits.TimeBudget, seconds=settings.request_time_budget_seconds,
                       upload_seconds=settings.upload_time_budget_seconds)
    body_bytes, upload_bytes = limits.limits(settings)
    app.add_middleware(limits.BodyLimit, body_bytes=body_bytes, upload_bytes=upload_bytes)
    app.add_middleware(problems.CatchAll)  # outside the body limit
    # outermost: every answer carries the headers, a caught 500 too
    app.add_middleware(ResponseHeaders, headers=response_headers(settings))
    metrics.install(app)  # outside all others, to time them too
    return app


def build() -> FastAPI:
    """The app of a `daifa serve` process (the process lives as long as it does)."""
    app = create_app(load_settings())
    runtime.settle()
    return app
