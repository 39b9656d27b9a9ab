"""The `daifa` command line against a temporary SQLite database, as an operator runs it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text
from typer.testing import CliRunner

from daifa.cli.main import app
from daifa.config import Settings
from daifa.context import Actor, Ctx
from daifa.db.engine import make_engine
from daifa.db.migrate import alembic_config, current_heads
from daifa.db.uow import Database
from daifa.fulfilment.reactions import REACTIONS
from daifa.identity import service as identity
from daifa.identity.models import Account
from daifa.registry import metadata

runner = CliRunner()


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "var" / "cli.db"
    monkeypatch.chdir(tmp_path)  # no stray .env, and ./var is the test's own
    monkeypatch.setenv("DAIFA_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("DAIFA_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("DAIFA_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("DAIFA_PASSWORD_PROFILE", "cheapest")
    yield path


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def _counts(path: Path) -> dict[str, int]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return {table.name: conn.scalar(select(func.count()).select_from(table)) or 0
                    for table in metadata.sorted_tables}
    finally:
        engine.dispose()


def test_help_lists_the_commands() -> None:
    output = _invoke("--help")
    for command in ("serve", "worker", "db", "admin", "demo"):
        assert command in output
    assert "upgrade" in _invoke("db", "--help")
    assert "create" in _invoke("admin", "--help")


def test_db_upgrade_creates_every_table_at_head(database_file: Path) -> None:
    output = _invoke("db", "upgrade")
    assert "head" in output
    url = f"sqlite:///{database_file}"
    engine = create_engine(url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {t.name for t in metadata.sorted_tables} <= tables
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
    assert current_heads(url) == heads
    _invoke("db", "upgrade")  # again: nothing to do, no error
    assert current_heads(url) == heads


def test_db_upgrade_works_from_any_directory(database_file: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    _invoke("db", "upgrade")
    assert database_file.exists()


def test_admin_create_makes_an_admin_who_can_sign_in(database_file: Path) -> None:
    _invoke("db", "upgrade")
    output = _invoke("admin", "create", "--login", "Root", "--password", "a long password")
    assert "root" in output
    db = Database(make_engine(f"sqlite:///{database_file}"))
    try:
        with db.unit_of_work() as session:
            ctx = Ctx(reactions=REACTIONS, session=session, actor=Actor.system("test"),
                      settings=Settings(database_url=f"sqlite:///{database_file}",
                                        secret_key="x"))
            account = identity.verify_credentials(ctx, "root", "a long password")
            assert (account.login, account.is_admin) == ("root", True)
    finally:
        db.dispose()


@pytest.mark.parametrize(("args", "exit_code", "code"), [
    (["--login", "root", "--password", "short"], 2, "WEAK_PASSWORD"),
    (["--login", "x", "--password", "a long password"], 2, "INVALID_LOGIN"),
    (["--login", "taken", "--password", "a long password"], 5, "LOGIN_TAKEN"),
])
def test_admin_create_reports_domain_errors_with_an_exit_code(database_file: Path,
                                                             args: list[str], exit_code: int,
                                                             code: str) -> None:
    _invoke("db", "upgrade")
    _invoke("admin", "create", "--login", "taken", "--password", "a long password")
    result = runner.invoke(app, ["admin", "create", *args])
    assert result.exit_code == exit_code, result.output
    assert code in result.output
    assert _counts(database_file)["accounts"] == 1


def test_demo_seed_is_idempotent(database_file: Path) -> None:
    from daifa.cli.demo import DEMO_LOGINS

    _invoke("db", "upgrade")
    first_output = _invoke("demo", "seed")
    first = _counts(database_file)
    second_output = _invoke("demo", "seed")
    assert _counts(database_file) == first
    assert first["accounts"] == len(DEMO_LOGINS)
    assert first["shops"] >= 1 and first["suppliers"] >= 3
    assert first["bindings"] >= 1 and first["binding_applications"] >= 1
    assert (first["after_sale_cases"], first["return_addresses"]) == (1, 1)
    for login in DEMO_LOGINS:
        assert f"sign in as {login} /" in first_output
    assert first_output.splitlines()[0] == second_output.splitlines()[0]
    engine = create_engine(f"sqlite:///{database_file}")
    try:
        with engine.connect() as conn:
            statuses = dict(conn.execute(text(
                "SELECT a.login, s.status FROM suppliers s "
                "JOIN accounts a ON a.id = s.owner_account_id")).all())
            admins = conn.scalar(select(func.count()).select_from(Account.__table__)
                                 .where(Account.__table__.c.is_admin))
    finally:
        engine.dispose()
    assert {login: statuses[login] for login in ("supplier", "supplier2", "newcomer")} == {
        "supplier": "active", "supplier2": "active", "newcomer": "pending"}
    assert admins == 1

def test_worker_once_runs_a_round_and_exits(database_file: Path) -> None:
    _invoke("db", "upgrade")
    _invoke("demo", "seed")
    before = _counts(database_file)
    _invoke("worker", "--once")
    assert _counts(database_file) == before  # nothing was due: the demo data is fresh


def test_audit_verify_says_the_trail_holds_or_names_the_break(
        database_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAIFA_AUDIT_SEAL_AFTER_SECONDS", "0")
    _invoke("db", "upgrade")
    _invoke("demo", "seed")
    _invoke("worker", "--once")  # seals the demo's history
    assert "the audit trail holds" in _invoke("audit", "verify")
    engine = create_engine(f"sqlite:///{database_file}")
    try:
        with engine.begin() as conn:
            victim = conn.scalar(text("SELECT min(id) + 3 FROM audit_events"))
            conn.execute(text("UPDATE audit_events SET actor = 'someone else' WHERE id = :id"),
                         {"id": victim})
    finally:
        engine.dispose()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {victim}: changed" in result.output


@pytest.mark.parametrize(("url", "asked", "runs"), [
    ("sqlite:///./var/one.db", 4, 1), ("postgresql+psycopg://db.example/daifa", 4, 4)])
def test_serve_runs_one_process_on_sqlite_and_says_so(
        database_file: Path, monkeypatch: pytest.MonkeyPatch, url: str, asked: int,
        runs: int) -> None:
    import uvicorn

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.update(kwargs))
    monkeypatch.setenv("DAIFA_DATABASE_URL", url)
    result = runner.invoke(app, ["serve", "--workers", str(asked)])
    assert result.exit_code == 0, result.output
    assert started["workers"] == runs
    assert ("served by one process" in result.output) == (runs < asked)


def test_worker_on_sqlite_runs_one_job_at_a_time_and_says_why(database_file: Path) -> None:
    _invoke("db", "upgrade")
    output = _invoke("worker", "--once", "--concurrency", "4")
    assert "SQLite runs one job at a time, not 4" in output
    assert "PostgreSQL" in output
