"""`/healthz` and `/readyz`: outside /api/v1 and the OpenAPI document; readiness asks the
database and its migrations, on each backend."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from daifa.app import create_app
from daifa.config import Settings
from daifa.db.engine import make_engine
from daifa.db.migrate import code_heads, upgrade
from daifa.db.uow import Database
from tests.api.support import PROBLEM


def test_healthz_answers_without_the_database(settings: Settings, tmp_path: Path) -> None:
    gone = Database(create_engine(f"sqlite:///{tmp_path}/no-such-dir/daifa.db"))
    with TestClient(create_app(settings, database=gone)) as client:
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_answers_ok_on_a_migrated_database(client: TestClient) -> None:
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_neither_is_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/healthz", "/readyz"} & set(paths)


def test_readyz_is_503_when_the_database_does_not_answer(settings: Settings,
                                                         database_url: str,
                                                         tmp_path: Path) -> None:
    if database_url.startswith("postgresql"):
        url = "postgresql+psycopg://postgres@127.0.0.1:9/daifa"  # nothing listens on discard
    else:
        url = f"sqlite:///{tmp_path}/no-such-dir/daifa.db"
    with TestClient(create_app(settings, database=Database(create_engine(url)))) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["code"] == "DATABASE_UNAVAILABLE"


def test_readyz_is_503_until_the_migrations_have_run(settings: Settings,
                                                     fresh_url: str) -> None:
    fresh = Database(make_engine(fresh_url))
    try:
        app = create_app(settings.model_copy(update={"database_url": fresh_url}),
                         database=fresh)
        with TestClient(app) as client:
            assert _pending(client) == ("none", ", ".join(sorted(code_heads())))
            upgrade(fresh_url, "0010")
            assert _pending(client)[0] == "0010"
            upgrade(fresh_url)
            assert client.get("/readyz").status_code == 200
    finally:
        fresh.dispose()


def _pending(client: TestClient) -> tuple[str, str]:
    response = client.get("/readyz")
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["code"] == "MIGRATIONS_PENDING"
    return body["current"], body["head"]
