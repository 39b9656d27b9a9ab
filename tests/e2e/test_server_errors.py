"""A bug is answered with a 500 problem on a connection that stays usable, under the real
server: uvicorn in a thread, one httpx connection for every request."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from daifa.app import create_app
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock


def _boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture
def served(settings: Settings, db: Database, clock: FrozenClock) -> Iterator[str]:
    app: FastAPI = create_app(settings, clock=clock, database=db)
    app.add_api_route("/api/v1/boom", _boom, methods=["GET", "POST"], include_in_schema=False)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_a_500_is_a_problem_and_the_connection_is_kept(served: str) -> None:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with httpx.Client(base_url=served, limits=limits, timeout=10) as client:
        first = client.get("/openapi.json")
        assert first.status_code == 200
        stream = first.extensions["network_stream"]
        for request in (client.build_request("GET", "/api/v1/boom"),
                        client.build_request("POST", "/api/v1/boom", json={"a": 1})):
            response = client.send(request)
            assert response.status_code == 500
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["code"] == "INTERNAL_ERROR"
            assert response.headers.get("connection", "").lower() != "close"
            assert response.extensions["network_stream"] is stream
        after = client.get("/api/v1/auth/me")
        assert after.status_code == 401
        assert after.extensions["network_stream"] is stream
