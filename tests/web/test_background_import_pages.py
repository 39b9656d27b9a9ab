"""A big file in the console lands in the background: the commit leads to a page that shows
its progress and polls itself, then the same report a direct import shows; a file refused by
then says why."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.orders.helpers import World, world
from tests.web.conftest import Visitor, text_of
from tests.web.test_order_pages import _commit, _upload

from daifa.config import Settings
from daifa.db.uow import Database
from daifa.imports.models import SheetImport
from daifa.kit.clock import FrozenClock
from daifa.worker import Worker

HEADER = "订单号,收货人,手机号,省,市,区,详细地址,SKU编码,数量,单价"


def order_file(count: int) -> bytes:
    rows = [f"BIG-{n},张三,13912345678,浙江省,杭州市,西湖区,文三路 90 号,TEE-RED,1,59.00"
            for n in range(count)]
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _progress_url(response: httpx.Response) -> str:
    assert response.history and response.history[0].status_code == 303
    return str(response.url.path)


def _committed_big_file(app: FastAPI, api: TestClient, console_for: Callable[[str], Visitor],
                        monkeypatch: pytest.MonkeyPatch) -> tuple[World, Visitor, str,
                                                                  httpx.Response]:
    """A merchant's 30-row order file, committed where 20 rows go to the background."""
    monkeypatch.setattr(app.state.hub.settings, "sheet_background_rows", 20)
    w = world(api, suppliers=1)
    console = console_for(w.merchant.login)
    base = f"/shops/{w.shop_id}/order-upload"
    preview = _upload(console, base, order_file(30))
    assert "新订单 30 个" in text_of(preview)
    return w, console, base, _commit(console, f"{base}/commit", preview)


def test_a_big_order_file_lands_in_the_background(
        app: FastAPI, api: TestClient, console_for: Callable[[str], Visitor],
        settings: Settings, db: Database, clock: FrozenClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    w, console, base, waiting = _committed_big_file(app, api, console_for, monkeypatch)
    url = _progress_url(waiting)
    assert re.fullmatch(rf"{base}/imports/\d+", url)
    assert 'data-testid="import-progress" data-status="queued"' in waiting.text
    assert f'hx-get="{url}"' in waiting.text and 'hx-trigger="every 1s"' in waiting.text
    assert "在后台导入 orders.csv" in text_of(waiting)
    assert 'data-testid="upload-done"' not in waiting.text

    Worker(settings=settings, db=db, clock=clock, name="console").run_due_jobs()
    done = console.client.get(url)
    assert 'data-testid="import-progress"' not in done.text  # the polling stops
    assert 'data-testid="upload-done"' in done.text
    assert "新订单 30 个，已存在 0 个，有错误 0 个（共 30 行）" in text_of(done)
    assert len(api.get(w.url("/orders?limit=100"), headers=w.headers).json()["items"]) == 30


def test_a_small_file_still_lands_at_once(app: FastAPI, api: TestClient,
                                          console_for: Callable[[str], Visitor]) -> None:
    w = world(api, suppliers=1)
    console = console_for(w.merchant.login)
    base = f"/shops/{w.shop_id}/order-upload"
    done = _commit(console, f"{base}/commit", _upload(console, base, order_file(3)))
    assert not done.history and 'data-testid="upload-done"' in done.text


def test_a_refused_file_says_why_and_another_shop_sees_nothing(
        app: FastAPI, api: TestClient, console_for: Callable[[str], Visitor],
        settings: Settings, db: Database, clock: FrozenClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    w, console, _, committed = _committed_big_file(app, api, console_for, monkeypatch)
    url = _progress_url(committed)
    monkeypatch.setattr(app.state.hub.settings, "sheet_max_rows", 10)  # when the worker reads
    Worker(settings=app.state.hub.settings, db=db, clock=clock, name="c").run_due_jobs()
    failed = console.client.get(url)
    assert 'data-testid="upload-code">SHEET_TOO_LARGE<' in failed.text
    assert 'data-testid="import-progress"' not in failed.text
    with db.unit_of_work(write=False) as session:
        assert session.query(SheetImport).one().status == "failed"
    other = world(api, suppliers=1)
    stranger = console_for(other.merchant.login)
    assert stranger.client.get(url).status_code == 404
    assert stranger.client.get(url.replace(w.shop_id, other.shop_id)).status_code == 404
