"""Errors outside the domain (routing, parsing) are problem+json too, and say what is allowed."""

from __future__ import annotations

import asyncio
import logging

import pytest
from fastapi.testclient import TestClient
from starlette.types import Message

from tests.factories import person


def test_wrong_method_lists_every_allowed_method(client: TestClient) -> None:
    response = client.request("OPTIONS", "/api/v1/shops/SH1234567890/invitations")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


def test_body_that_is_not_json_is_a_problem(client: TestClient) -> None:
    response = client.post("/api/v1/auth/signup", content=b"\x7f\xff not json",
                           headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] in ("BAD_REQUEST", "VALIDATION_FAILED")


def test_every_api_operation_documents_problem_responses(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            documented = operation["responses"]
            assert "application/problem+json" in documented["404"]["content"], (method, path)
            assert "application/problem+json" in documented["422"]["content"], (method, path)


def test_a_client_leaving_mid_body_is_not_an_error(client: TestClient,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """wrk stopping with requests in flight: the body never arrives whole. Nothing is answered
    (nobody is there) and nothing is logged as a bug."""
    sent: list[Message] = []
    parts: list[Message] = [
        {"type": "http.request", "body": b'{"external_id": "x', "more_body": True},
        {"type": "http.disconnect"}]

    async def receive() -> Message:
        return parts.pop(0) if parts else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/api/v1/shops/SH1/orders",
             "raw_path": b"/api/v1/shops/SH1/orders", "query_string": b"", "root_path": "",
             "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 5),
             "headers": [(b"content-type", b"application/json"),
                         (b"authorization", b"Bearer " + person(client).token.encode())],
             "http_version": "1.1", "app": client.app}
    with caplog.at_level(logging.INFO):
        asyncio.run(client.app(scope, receive, send))  # type: ignore[arg-type]
    assert sent == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("client left" in r.getMessage() for r in caplog.records)
