"""Assertions shared by the API, end-to-end and CLI tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is RFC 9457 problem+json with exactly this status and machine code."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["status"] == status, body
    for key in ("type", "title", "detail"):
        assert isinstance(body[key], str) and body[key], (key, body)
    return body


def same_problem(first: httpx.Response, second: httpx.Response) -> bool:
    """Two problem responses that tell a caller the same thing (only `instance` may differ)."""
    def strip(response: httpx.Response) -> tuple[int, dict[str, Any]]:
        body = dict(response.json())
        body.pop("instance", None)
        return response.status_code, body

    return strip(first) == strip(second)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@contextmanager
def changed_settings(client: TestClient, **changes: Any) -> Iterator[None]:
    """The app's settings with some values changed for the duration (e.g. upload limits)."""
    hub = client.app.state.hub  # type: ignore[attr-defined]
    before = hub.settings
    hub.settings = before.model_copy(update=changes)
    try:
        yield
    finally:
        hub.settings = before
