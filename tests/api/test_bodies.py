"""Bodies over the limit are 413 before they are read; a bearer token is checked before the
body is read or validated."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from daifa.api import limits
from daifa.app import create_app
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from tests import factories
from tests.api.support import assert_problem

ORDER = {"external_id": "B-1",
         "buyer": {"name": "张三", "phone": "13912345678",
                   "address": {"province": "浙江省", "city": "杭州市", "district": "西湖区",
                               "detail": "文三路 90 号"}},
         "lines": [{"sku_code": "TEE-RED", "quantity": 1, "unit_price_fen": 100}]}


def _padded(size: int) -> bytes:
    """An order whose JSON is `size` bytes (the padding is an ignored field)."""
    head = json.dumps({**ORDER, "pad": ""}).encode()
    return head[:-2] + b"x" * (size - len(head)) + head[-2:]


def _chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), 65536):
        yield data[start:start + 65536]


def test_a_declared_length_over_the_limit_is_413_before_anything_else(
        client: TestClient) -> None:
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    limit = client.app.state.hub.settings.max_body_bytes  # type: ignore[attr-defined]
    for headers in (merchant.headers, {}):
        response = client.post(f"/api/v1/shops/{shop_id}/orders", content=_padded(limit + 1),
                               headers={**headers, "content-type": "application/json"})
        body = assert_problem(response, 413, "BODY_TOO_LARGE")
        assert body["limit"] == limit
    fits = client.post(f"/api/v1/shops/{shop_id}/orders", content=_padded(limit),
                       headers={**merchant.headers, "content-type": "application/json"})
    assert fits.status_code == 201, fits.text


def test_a_chunked_body_is_counted_and_refused_past_the_limit(
        settings: Settings, db: Database, clock: FrozenClock) -> None:
    app = create_app(settings.model_copy(update={"max_body_bytes": 4096}), clock=clock,
                     database=db)
    with TestClient(app) as client:
        merchant = factories.person(client)
        shop_id = factories.shop(client, merchant)
        response = client.post(f"/api/v1/shops/{shop_id}/orders",
                               content=_chunks(_padded(200_000)),
                               headers={**merchant.headers, "content-type": "application/json"})
        assert "content-length" not in response.request.headers
        assert assert_problem(response, 413, "BODY_TOO_LARGE")["limit"] == 4096
        fits = client.post(f"/api/v1/shops/{shop_id}/orders", content=_chunks(_padded(4096)),
                           headers={**merchant.headers, "content-type": "application/json"})
        assert fits.status_code == 201, fits.text


def test_uploads_keep_their_own_limit_and_code(client: TestClient) -> None:
    settings = client.app.state.hub.settings  # type: ignore[attr-defined]
    body, upload = limits.limits(settings)
    assert upload > settings.upload_max_bytes > body
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    big = b"x" * (settings.upload_max_bytes + 1)
    response = client.post(f"/api/v1/shops/{shop_id}/orders:import",
                           files={"file": ("orders.csv", big)}, headers=merchant.headers)
    assert_problem(response, 413, "FILE_TOO_LARGE")


def _call(app: FastAPI, path: str, headers: dict[str, str],
          body: bytes) -> tuple[int, dict[str, Any], int]:
    """Call the app as a server would, streaming `body` in chunks without a Content-Length;
    (status, problem, body bytes the app asked for)."""
    chunks = list(_chunks(body))
    read = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal read
        if not chunks:
            return {"type": "http.disconnect"}
        chunk = chunks.pop(0)
        read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "server": ("testserver", 80),
             "client": ("127.0.0.1", 1234),
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    status = sent[0]["status"]
    payload = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(payload), read


def test_no_token_or_an_unknown_one_is_401_without_reading_the_body(
        client: TestClient) -> None:
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    huge = _padded(3 * 1024 * 1024)
    path = f"/api/v1/shops/{shop_id}/orders"
    json_type = {"content-type": "application/json"}
    for headers in (json_type, {**json_type, "authorization": "Bearer dfs_not_one_of_ours"},
                    {**json_type, "authorization": "Basic dXNlcjpwdw=="}):
        status, problem, read = _call(client.app, path, headers, huge)  # type: ignore[arg-type]
        assert (status, read) == (401, 0), (headers, problem)
        assert problem["code"] in ("UNAUTHENTICATED", "INVALID_TOKEN")
    status, problem, read = _call(client.app, path,  # type: ignore[arg-type]
                                  {**json_type, "authorization": f"Bearer {merchant.token}"},
                                  json.dumps(ORDER).encode())
    assert status == 201, problem


def test_an_invalid_body_without_a_token_is_401_not_422(client: TestClient) -> None:
    merchant = factories.person(client)
    shop_id = factories.shop(client, merchant)
    response = client.post(f"/api/v1/shops/{shop_id}/orders", json={"lines": "nope"})
    assert_problem(response, 401, "UNAUTHENTICATED")
    response = client.post(f"/api/v1/shops/{shop_id}/orders", json={"lines": "nope"},
                           headers=factories.auth("dfs_unknown"))
    assert_problem(response, 401, "INVALID_TOKEN")


def test_every_api_route_is_guarded() -> None:
    import importlib
    import pkgutil

    from fastapi.routing import APIRoute

    import daifa.api.v1
    from daifa.api.guard import GuardedRoute

    routes = []
    for info in pkgutil.iter_modules(daifa.api.v1.__path__):
        router = getattr(importlib.import_module(f"daifa.api.v1.{info.name}"), "router", None)
        if router is not None:
            routes += [r for r in router.routes if isinstance(r, APIRoute)]
    assert len(routes) > 50
    assert [r.path for r in routes if not isinstance(r, GuardedRoute)] == []
