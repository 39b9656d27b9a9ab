"""Prometheus metrics at `GET /metrics` (outside /api/v1, not in the OpenAPI document).

What is there:

- `daifa_http_requests_total` and `daifa_http_request_duration_seconds` (a histogram), by
  `route` (the route's path pattern, such as `/api/v1/shops/{shop_id}`, never the raw path;
  `unmatched` for a path no route knows or a request refused before routing), `method` and
  `status` class (`2xx` … `5xx`);
- `daifa_rate_limit_refusals_total` by `caller` (`shop`, `supplier`, `person`), and
  `daifa_rate_limit_store_errors_total` (requests let through because the store was down);
- read from the database at each scrape, one cheap query each: `daifa_jobs_queued`,
  `daifa_jobs_due` and `daifa_jobs_oldest_due_age_seconds` by job `kind`;
  `daifa_webhook_deliveries_failed` (gave up) and `daifa_webhook_deliveries_retrying`;
  `daifa_metrics_database_up` (0 when those queries failed).

Who may scrape: with `DAIFA_METRICS_TOKEN` empty, loopback clients only (a Prometheus on the
same host; behind a reverse proxy on the same host, let uvicorn take the client from
`X-Forwarded-For`, its default for a proxy on 127.0.0.1, or set a token); with a token set,
any client sending `Authorization: Bearer <token>`. Others get 401 or 403 problem+json.

Several processes: each uvicorn worker process counts its own requests, so a server of more
than one process must run prometheus_client's multiprocess mode, in which every process
writes its counters to files in one directory and a scrape of any process adds them all up.
`daifa serve --workers N` (N > 1) does this itself: it points `PROMETHEUS_MULTIPROC_DIR` at
`<var_dir>/prometheus` (or the directory already named there), empties it, and starts the
workers. Starting the app another way (gunicorn, several uvicorn processes behind one port),
set `PROMETHEUS_MULTIPROC_DIR` to an empty directory, the same for every process of the
server, before they start, and empty it at each restart. Process figures (memory, CPU) are
not reported in that mode; the database figures are the same from every process.

Per request the middleware costs two clock reads and two increments of cached children
(a dict lookup): no BaseHTTPMiddleware, no per-request objects beyond a closure.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from daifa import paths
from daifa.errors import Forbidden, Unauthenticated
from daifa.hub import Hub
from daifa.jobs import service as jobs
from daifa.webhooks import log as webhook_log

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
LABELS = ("route", "method", "status")

REQUESTS = Counter("daifa_http_requests", "HTTP requests answered", LABELS)
LATENCY = Histogram("daifa_http_request_duration_seconds",
                    "Time from the request's arrival to the end of its answer", LABELS)
RATE_LIMIT_REFUSALS = Counter("daifa_rate_limit_refusals",
                              "API requests refused with 429 RATE_LIMITED", ["caller"])
RATE_LIMIT_STORE_ERRORS = Counter("daifa_rate_limit_store_errors",
                                  "API requests let through because the rate-limit store "
                                  "could not be asked")


class RequestMetrics:
    """Pure ASGI middleware counting and timing every HTTP request by route template."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # (route, method, status) -> its two children: labels() validates and locks each time
        self._children: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before starting a response

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self._observe(scope, status, time.perf_counter() - started)

    def _observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = self._template(scope)
        method = scope["method"] if scope["method"] in METHODS else "other"
        key = (route, method, f"{status // 100}xx")
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (REQUESTS.labels(*key), LATENCY.labels(*key))
        children[0].inc()
        children[1].observe(seconds)

    @staticmethod
    def _template(scope: Scope) -> str:
        """The matched route's path pattern (routes are registered flat, with their whole
        path): the path index leaves the route in the scope, a route outside it leaves
        itself; neither for a path no route knows."""
        route = scope.get(paths.MATCHED) or scope.get("route")
        return getattr(route, "path", None) or UNMATCHED


class Scrape(Collector):
    """What one scrape reports: this process's (or every process's) counters, then the
    figures read from the database now."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def collect(self) -> Iterator[Metric]:
        if os.environ.get(MULTIPROC_ENV):
            # every process's files, read afresh (the library itself is untyped here)
            yield from MultiProcessCollector(None).collect()  # type: ignore[no-untyped-call]
        else:
            yield from REGISTRY.collect()
        yield from database_metrics(self.hub)


def database_metrics(hub: Hub) -> list[Metric]:
    queued = GaugeMetricFamily("daifa_jobs_queued", "Jobs waiting, due or not", labels=["kind"])
    due = GaugeMetricFamily("daifa_jobs_due", "Jobs whose time has come", labels=["kind"])
    age = GaugeMetricFamily("daifa_jobs_oldest_due_age_seconds",
                            "How long the oldest due job has waited", labels=["kind"])
    failed = GaugeMetricFamily("daifa_webhook_deliveries_failed",
                               "Webhook deliveries that gave up after every retry")
    retrying = GaugeMetricFamily("daifa_webhook_deliveries_retrying",
                                 "Webhook deliveries pending after a failed attempt")
    up = GaugeMetricFamily("daifa_metrics_database_up",
                           "Whether this scrape could read the database figures")
    try:
        with hub.db.unit_of_work(write=False) as session:
            stats = jobs.queue_stats(session, hub.clock.now())
            trouble = webhook_log.trouble(session)
    except SQLAlchemyError:
        up.add_metric([], 0)
        return [up]
    for stat in stats:
        queued.add_metric([stat.kind], stat.queued)
        due.add_metric([stat.kind], stat.due)
        age.add_metric([stat.kind], stat.oldest_due_seconds)
    failed.add_metric([], trouble.failed)
    retrying.add_metric([], trouble.retrying)
    up.add_metric([], 1)
    return [queued, due, age, failed, retrying, up]


def allow(request: Request) -> None:
    """A token, when one is set; else a loopback client."""
    token: str = request.app.state.hub.settings.metrics_token
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(),
                                                                 token.encode()):
            raise Unauthenticated()
        return
    if not is_loopback(request.client.host if request.client else ""):
        raise Forbidden()


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    allow(request)
    body = generate_latest(Scrape(request.app.state.hub))
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def install(app: FastAPI) -> None:
    """The middleware (api.app serves the route); install last, so it is outermost and sees
    every answer, the 413s and caught 500s of the middlewares inside it too."""
    app.add_middleware(RequestMetrics)


def prepare_multiprocess(var_dir: Path) -> Path:
    """For a server of several processes, before they start: the directory their counters
    share, emptied of a previous run's (counters restart with the server, as in one process)."""
    path = Path(os.environ.get(MULTIPROC_ENV) or var_dir / "prometheus")
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(path)
    return path
