"""GET /metrics: requests by route template, the job queue and webhook trouble read at scrape
time, rate-limit refusals, who may scrape, and counts added up across processes."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from daifa.api import metrics
from daifa.config import Settings
from daifa.context import Ctx
from daifa.jobs import service as jobs
from daifa.kit.clock import FrozenClock
from daifa.worker import Worker
from tests import factories
from tests.api.support import assert_problem, changed_settings, ok

LOOPBACK = ("127.0.0.1", 40000)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scraper(app: FastAPI) -> Iterator[TestClient]:
    """A client on the loopback address, as a Prometheus on the same host is."""
    with TestClient(app, client=LOOPBACK) as client:
        yield client


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template(client: TestClient,
                                                scraper: TestClient) -> None:
    owner = factories.person(client)
    shop_id = factories.shop(client, owner)
    route = "/api/v1/shops/{shop_id}"
    before = scrape(scraper)
    ok(client.get(f"/api/v1/shops/{shop_id}", headers=owner.headers))
    ok(client.get(f"/api/v1/shops/{shop_id}", headers=owner.headers))
    assert_problem(client.get("/api/v1/shops/SH000000", headers=owner.headers), 404,
                   "SHOP_NOT_FOUND")
    assert_problem(client.get(f"/api/v1/nowhere/{shop_id}"), 404, "NOT_FOUND")
    ok(client.get("/openapi.json"))
    assert client.get("/static/console.css").status_code == 200
    after = scrape(scraper)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    ok_labels = {"route": route, "method": "GET", "status": "2xx"}
    assert grew("daifa_http_requests_total", **ok_labels) == 2
    assert grew("daifa_http_requests_total", route=route, method="GET", status="4xx") == 1
    assert grew("daifa_http_requests_total", route="unmatched", method="GET",
                status="4xx") == 1
    for starlette_route in ("/openapi.json", "/static"):  # a route and a mount of Starlette's
        assert grew("daifa_http_requests_total", route=starlette_route, method="GET",
                    status="2xx") == 1
    assert grew("daifa_http_request_duration_seconds_count", **ok_labels) == 2
    assert grew("daifa_http_request_duration_seconds_bucket", le="+Inf", **ok_labels) == 2
    routes = {dict(labels).get("route") for _, labels in after}
    assert not any(shop_id in str(r) for r in routes), "a raw path became a label"


def test_queue_depth_and_the_oldest_due_job(scraper: TestClient, system_ctx: Ctx,
                                            clock: FrozenClock) -> None:
    now = clock.now()
    for minutes in (30, 5):
        jobs.enqueue(system_ctx, "metrics.test", run_at=now - timedelta(minutes=minutes))
    jobs.enqueue(system_ctx, "metrics.test", run_at=now + timedelta(hours=1))
    jobs.enqueue(system_ctx, "metrics.other")
    system_ctx.session.commit()
    samples = scrape(scraper)
    assert value(samples, "daifa_jobs_queued", kind="metrics.test") == 3
    assert value(samples, "daifa_jobs_due", kind="metrics.test") == 2
    assert value(samples, "daifa_jobs_oldest_due_age_seconds", kind="metrics.test") == 1800
    assert value(samples, "daifa_jobs_queued", kind="metrics.other") == 1
    assert value(samples, "daifa_jobs_oldest_due_age_seconds", kind="metrics.other") == 0
    assert value(samples, "daifa_metrics_database_up") == 1


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhook_allow_private": True,
                                       "webhook_timeout_seconds": 0.5})


def test_webhook_deliveries_retrying_then_failed(client: TestClient, scraper: TestClient,
                                                 settings: Settings, clock: FrozenClock) -> None:
    from daifa.webhooks import signing
    from tests.webhooks.helpers import emit, register, shop_pk

    owner = factories.person(client)
    shop_id = factories.shop(client, owner)
    register(client, owner, "http://127.0.0.1:9/nothing-listens", org_id=shop_id)
    emit(client, "dispatch_order.shipped", {"dispatch_order_no": "D1"},
         shop=shop_pk(client, shop_id))
    hub = client.app.state.hub  # type: ignore[attr-defined]
    worker = Worker(settings=settings, db=hub.db, clock=clock, name="metrics", sweeps={})
    worker.run_due_jobs()
    samples = scrape(scraper)
    assert value(samples, "daifa_webhook_deliveries_retrying") == 1
    assert value(samples, "daifa_webhook_deliveries_failed") == 0
    for delay in signing.backoff_schedule():
        clock.advance(timedelta(seconds=delay))
        worker.run_due_jobs()
    samples = scrape(scraper)
    assert value(samples, "daifa_webhook_deliveries_retrying") == 0
    assert value(samples, "daifa_webhook_deliveries_failed") == 1


def test_rate_limit_refusals_are_counted(client: TestClient, scraper: TestClient) -> None:
    from daifa.api import rates

    owner = factories.person(client)
    shop_id = factories.shop(client, owner)
    hub = client.app.state.hub  # type: ignore[attr-defined]
    before = value(scrape(scraper), "daifa_rate_limit_refusals_total", caller="person")
    with changed_settings(client, rate_limit_per_second=1.0, rate_limit_burst=2,
                          rate_limit_write_cost=1, rate_limit_store="memory"):
        rates.install(client.app)  # type: ignore[arg-type]
        try:
            statuses = [client.get(f"/api/v1/shops/{shop_id}", headers=owner.headers)
                        .status_code for _ in range(5)]
        finally:
            hub.settings = hub.settings.model_copy(update={"rate_limit_per_second": 0})
            rates.install(client.app)  # type: ignore[arg-type]
    assert statuses == [200, 200, 429, 429, 429]
    after = value(scrape(scraper), "daifa_rate_limit_refusals_total", caller="person")
    assert after - before == 3


def test_only_loopback_clients_without_a_token(app: FastAPI, scraper: TestClient) -> None:
    scrape(scraper)
    with TestClient(app, client=("203.0.113.9", 40000)) as remote:
        assert_problem(remote.get("/metrics"), 403, "FORBIDDEN")


def test_a_token_opens_it_to_any_client_that_sends_it(app: FastAPI,
                                                      scraper: TestClient) -> None:
    with (TestClient(app, client=("203.0.113.9", 40000)) as remote,
          changed_settings(remote, metrics_token="s3cret-metrics")):
        response = remote.get("/metrics")
        assert_problem(response, 401, "UNAUTHENTICATED")
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert_problem(remote.get("/metrics", headers={"Authorization": "Bearer nope"}), 401,
                       "UNAUTHENTICATED")
        assert_problem(scraper.get("/metrics"), 401, "UNAUTHENTICATED")  # loopback too
        scrape(remote, Authorization="Bearer s3cret-metrics")


def test_metrics_stay_out_of_the_openapi_document(client: TestClient) -> None:
    assert "/metrics" not in ok(client.get("/openapi.json"))["paths"]


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.0.1", "::1"])
def test_loopback_addresses(host: str) -> None:
    assert metrics.is_loopback(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "203.0.113.9", "testclient", "", "localhost"])
def test_other_addresses(host: str) -> None:
    assert not metrics.is_loopback(host)


WORKER = """
import sys
from fastapi.testclient import TestClient
from daifa.app import create_app
from daifa.config import Settings
app = create_app(Settings.model_validate_json(sys.argv[1]))
with TestClient(app) as client:
    for _ in range(int(sys.argv[2])):
        assert client.get("/api/v1/no-such-path").status_code == 404
"""


def test_several_processes_add_up(app: FastAPI, settings: Settings, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two server processes in multiprocess mode count into one directory; a scrape from
    any process sums them."""
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(tmp_path / "left-over"))
    (tmp_path / "left-over").mkdir()
    (tmp_path / "left-over" / "counter_1.db").write_bytes(b"from the last run")
    shared = metrics.prepare_multiprocess(tmp_path)
    assert shared == tmp_path / "left-over" and not list(shared.glob("*.db"))
    for count in (3, 4):
        run = subprocess.run([sys.executable, "-c", WORKER, settings.model_dump_json(),
                              str(count)], capture_output=True, text=True, timeout=120,
                             cwd=ROOT)
        assert run.returncode == 0, run.stderr[-3000:]
    assert len(list(shared.glob("counter_*.db"))) == 2
    with TestClient(app, client=LOOPBACK) as scraper:
        samples = scrape(scraper)
    assert value(samples, "daifa_http_requests_total", route="unmatched", method="GET",
                 status="4xx") == 7
