"""Spreadsheet uploads with `background=true`: 202 at once, the worker reads and lands the
file, the import shows its progress and then the same result a direct upload gives; a refused
file ends `failed` with the reason; the file itself is dropped when the import ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.imports import service as imports
from daifa.imports.models import SheetImport
from daifa.jobs.models import Job
from daifa.kit.clock import FrozenClock
from daifa.worker import Worker
from tests import factories
from tests.api.support import assert_problem, ok
from tests.api.test_upload_bombs import FAR_CORNER
from tests.orders.helpers import world

HEADER = "external_id,buyer_name,buyer_phone,province,city,district,address_detail,sku_code," \
         "quantity,unit_price,paid_at"


def order_file(count: int) -> bytes:
    rows = [f"BG-{n},张三,13912345678,浙江省,杭州市,西湖区,文三路 90 号,TEE-RED,1,59.00,"
            for n in range(count)]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def run_worker(settings: Settings, db: Database, clock: FrozenClock) -> None:
    Worker(settings=settings, db=db, clock=clock, name="imports").run_due_jobs()


def test_an_order_file_imported_in_the_background(
        client: TestClient, settings: Settings, db: Database, clock: FrozenClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    w = world(client, suppliers=1)
    started = client.post(w.url("/orders:import"), params={"background": "true"},
                          headers=w.headers,
                          files={"file": ("orders.csv", order_file(250), "text/csv")})
    assert started.status_code == 202, started.text
    queued = started.json()
    assert queued["status"] == "queued" and queued["rows_done"] == 0
    assert started.headers["location"] == w.url(f"/imports/{queued['import_id']}")
    assert ok(client.get(started.headers["location"], headers=w.headers))["status"] == "queued"

    seen: list[tuple[str, int]] = []
    original = db.checkpoint

    def watched(session: object) -> None:
        original(session)  # type: ignore[arg-type]
        with db.unit_of_work(write=False) as other:
            row = other.scalars(select(SheetImport)).one()
            seen.append((row.status, row.rows_done))

    monkeypatch.setattr(imports, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(db, "checkpoint", watched)
    run_worker(settings, db, clock)
    monkeypatch.undo()

    assert seen[0] == ("running", 0) and all(status == "running" for status, _ in seen)
    assert [done for _, done in seen] == sorted(done for _, done in seen)
    assert seen[-1][1] > 0  # a poller saw it move before the end
    done = ok(client.get(started.headers["location"], headers=w.headers))
    assert done["status"] == "done" and done["rows_done"] == done["rows_total"] == 250
    assert done["result"]["summary"]["orders_created"] == 250
    with db.unit_of_work(write=False) as session:
        assert session.scalars(select(SheetImport.content)).one() is None
        assert session.scalars(select(Job.status)).one() == "done"
    direct = ok(client.post(w.url("/orders:import"), headers=w.headers,
                            files={"file": ("orders.csv", order_file(250), "text/csv")}))
    assert direct["summary"]["orders_existing"] == 250  # the same file again changes nothing


def test_a_refused_file_ends_failed_with_the_reason_and_is_not_retried(
        client: TestClient, settings: Settings, db: Database, clock: FrozenClock) -> None:
    w = world(client, suppliers=1)
    started = ok(client.post(w.url("/orders:import"), params={"background": "true"},
                             headers=w.headers,
                             files={"file": ("bomb.xlsx", FAR_CORNER, "application/x")}), 202)
    run_worker(settings, db, clock)
    failed = ok(client.get(w.url(f"/imports/{started['import_id']}"), headers=w.headers))
    assert failed["status"] == "failed" and failed["result"] is None
    assert failed["error"]["code"] == "SHEET_TOO_LARGE"
    assert failed["error"]["params"] == {"max_rows": settings.sheet_max_rows}
    with db.unit_of_work(write=False) as session:
        assert session.scalars(select(Job.status)).one() == "done"
        assert session.scalars(select(SheetImport.content)).one() is None


def test_supplier_imports_and_who_may_see_them(client: TestClient, settings: Settings,
                                                db: Database, clock: FrozenClock) -> None:
    merchant, shop_id, owner, supplier_id = factories.bound_pair(client)
    products = "spu_code,title,sku_code,supply_price_fen,stock\nP1,商品,S1,100,5\n"
    started = ok(client.post(f"/api/v1/suppliers/{supplier_id}/products:import",
                             params={"background": "true", "dry_run": "true"},
                             headers=owner.headers,
                             files={"file": ("p.csv", products.encode(), "text/csv")}), 202)
    run_worker(settings, db, clock)
    mine = f"/api/v1/suppliers/{supplier_id}/imports/{started['import_id']}"
    done = ok(client.get(mine, headers=owner.headers))
    assert done["dry_run"] and done["result"]["summary"]["created"] == 1
    assert ok(client.get(f"/api/v1/suppliers/{supplier_id}/products",
                         headers=owner.headers))["items"] == []  # a dry run keeps nothing
    stranger = factories.person(client)
    other_supplier = factories.supplier(client, stranger)
    for made_up in ("999999", "²", "１２", "9" * 30):
        missing = client.get(f"/api/v1/suppliers/{supplier_id}/imports/{made_up}",
                             headers=owner.headers)
        assert_problem(missing, 404, "IMPORT_NOT_FOUND")
    for path, who in ((mine, stranger), (mine, merchant),
                      (f"/api/v1/suppliers/{other_supplier}/imports/{started['import_id']}",
                       stranger),
                      (f"/api/v1/shops/{shop_id}/imports/{started['import_id']}", merchant)):
        assert client.get(path, headers=who.headers).status_code == 404, path


def test_finished_imports_are_forgotten_after_a_week(
        client: TestClient, settings: Settings, db: Database, clock: FrozenClock) -> None:
    w = world(client, suppliers=1)
    ok(client.post(w.url("/orders:import"), params={"background": "true"}, headers=w.headers,
                   files={"file": ("orders.csv", order_file(3), "text/csv")}), 202)
    worker = Worker(settings=settings, db=db, clock=clock, name="imports")
    worker.run_due_jobs()
    clock.advance(timedelta(days=6))
    assert worker.run_sweeps()["imports.purge"] == 0
    clock.advance(timedelta(days=1, minutes=1))
    assert worker.run_sweeps()["imports.purge"] == 1


def test_a_job_run_again_after_its_import_ended_changes_nothing(
        client: TestClient, settings: Settings, db: Database, clock: FrozenClock) -> None:
    """A job delivered twice (a lease that lapsed, a worker that died after finishing) finds
    its import ended and its file gone: nothing is landed or reported twice."""
    w = world(client, suppliers=1)
    started = ok(client.post(w.url("/orders:import"), params={"background": "true"},
                             headers=w.headers,
                             files={"file": ("orders.csv", order_file(5), "text/csv")}), 202)
    run_worker(settings, db, clock)
    first = ok(client.get(w.url(f"/imports/{started['import_id']}"), headers=w.headers))
    with db.unit_of_work() as session:
        session.add(Job(kind=imports.RUN_JOB, payload={"import": int(started["import_id"])},
                        status="queued", run_at=clock.now(), created_at=clock.now()))
    run_worker(settings, db, clock)
    assert ok(client.get(w.url(f"/imports/{started['import_id']}"),
                         headers=w.headers)) == first
    with db.unit_of_work(write=False) as session:
        assert [job.status for job in session.scalars(select(Job))] == ["done", "done"]


def test_another_tenant_cannot_queue_a_file_for_a_shop(client: TestClient) -> None:
    w = world(client, suppliers=1)
    stranger = factories.person(client)
    refused = client.post(w.url("/orders:import"), params={"background": "true"},
                          headers=stranger.headers,
                          files={"file": ("orders.csv", order_file(2), "text/csv")})
    assert refused.status_code == 404
    with client.app.state.hub.db.unit_of_work(write=False) as session:  # type: ignore[attr-defined]
        assert session.scalars(select(SheetImport)).all() == []
