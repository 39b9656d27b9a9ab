"""Test fixtures: a real migrated database per backend (SQLite always, PostgreSQL when
DAIFA_TEST_POSTGRES_URL is set), emptied after each test; the app on a movable clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from daifa.app import create_app
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.engine import make_engine
from daifa.db.migrate import upgrade
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from daifa.identity import passwords
from daifa.kit.clock import FrozenClock
from daifa.registry import metadata

POSTGRES_URL = os.environ.get("DAIFA_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
FAULT_SUITES = os.environ.get("DAIFA_FAULT_SUITES") == "1"

passwords.use_profile("cheapest")


def _postgres_database() -> Iterator[str]:
    """A fresh database per test session, so parallel runs never share tables."""
    assert POSTGRES_URL
    admin_url = make_url(POSTGRES_URL)
    name = f"daifa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("db") / "daifa.db"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield url
        return
    for url in _postgres_database():
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    db = Database(make_engine(database_url))
    yield db
    db.dispose()


def _empty_all_tables(db: Database) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def db(database: Database) -> Iterator[Database]:
    yield database
    _empty_all_tables(database)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("var")


@pytest.fixture
def settings(database_url: str, var_dir: Path) -> Settings:
    # The rate limit refills on the hub's clock, which stands still in tests: off here, on in
    # the tests of the limit itself (tests/api/test_rate_limits.py).
    return Settings(database_url=database_url, secret_key="test-secret-key",
                    base_url="http://testserver", var_dir=var_dir,
                    password_profile="cheapest", rate_limit_per_second=0)


# Building the app (routes, OpenAPI, console catalogs) costs far more than most tests, so one
# app per distinct settings and database serves every test; each test gets its own clock.
_APPS: dict[tuple[str, int], FastAPI] = {}


@pytest.fixture
def app(settings: Settings, db: Database, clock: FrozenClock) -> FastAPI:
    key = (settings.model_dump_json(), id(db))
    built = _APPS.get(key)
    if built is None:
        built = _APPS[key] = create_app(settings, clock=clock, database=db)
    built.state.hub.clock = clock
    return built


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def system_ctx(db: Database, settings: Settings, clock: FrozenClock) -> Iterator[Ctx]:
    """A service context acting as the system, committed at the end of the test body."""
    with db.unit_of_work() as session:
        yield Ctx(reactions=REACTIONS,
                  session=session, actor=Actor.system("test"), settings=settings, clock=clock)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The fault suites take minutes; CI runs them, a local `make test` only when asked."""
    if FAULT_SUITES:
        return
    skip = pytest.mark.skip(reason="a fault suite: set DAIFA_FAULT_SUITES=1 (CI does)")
    for item in items:
        if "fault" in item.keywords:
            item.add_marker(skip)
