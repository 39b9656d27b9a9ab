"""Response headers: the console's Content-Security-Policy allows this site's own scripts and
styles only, every response (API, console, static files) says nosniff, and HSTS is sent once
the cookies are Secure. The templates keep to what that policy and Alpine's CSP build allow."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from daifa.app import create_app
from daifa.config import Settings
from daifa.db.uow import Database
from daifa.kit.clock import FrozenClock
from daifa.web.render import STATIC_DIR

TEMPLATES = Path(STATIC_DIR).parent / "templates"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {words[0]: words[1:] for words in parts}


def test_console_pages_allow_only_their_own_scripts_and_styles(api: TestClient) -> None:
    response = api.get("/signin")
    assert response.status_code == 200
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)


@pytest.mark.parametrize("path", ["/signin", "/api/v1/catalog/import-template",
                                  "/api/v1/auth/me", "/api/v1/nowhere", "/openapi.json",
                                  "/static/console.js"])
def test_every_response_says_nosniff(api: TestClient, path: str) -> None:
    response = api.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff", response.status_code
    assert response.headers.get_list("X-Content-Type-Options") == ["nosniff"]
    assert "Strict-Transport-Security" not in response.headers  # cookies are not Secure here


def test_hsts_when_cookies_are_secure(settings: Settings, db: Database,
                                      clock: FrozenClock) -> None:
    app = create_app(settings.model_copy(update={"cookie_secure": True}), clock=clock,
                     database=db)
    with TestClient(app, base_url="https://testserver") as client:
        for path in ("/signin", "/api/v1/auth/me", "/static/console.js"):
            response = client.get(path)
            assert response.headers["Strict-Transport-Security"] == "max-age=31536000", path
            assert response.headers["X-Content-Type-Options"] == "nosniff"


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


_SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
_ALPINE = re.compile(r"""\s(?:x-[a-z:.-]+|@[a-z.:-]+|:[a-z-]+)="([^"]*)\"""")


@pytest.mark.parametrize("template", _templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_need_no_inline_code_or_eval(template: Path) -> None:
    text = re.sub(r"\{#.*?#\}", "", template.read_text(), flags=re.S)  # comments aside
    for attributes in _SCRIPT.findall(text):  # a file, or inert JSON data
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert "<style" not in text and not re.search(r"\sstyle=", text)
    assert not _HANDLER.search(text), _HANDLER.search(text)
    assert "javascript:" not in text
    for expression in _ALPINE.findall(text):  # what the CSP build of Alpine cannot run
        assert "=>" not in expression and "document." not in expression, expression
        assert "setTimeout" not in expression and "window." not in expression, expression
