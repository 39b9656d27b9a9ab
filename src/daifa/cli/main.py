"""`daifa serve | worker | db upgrade | admin create | demo seed | docs states | docs errors |
audit verify`."""

from __future__ import annotations

import typer

from daifa.cli.catalog import catalog_app
from daifa.cli.common import command_ctx, console
from daifa.cli.orders import orders_app
from daifa.cli.shipments import shipments_app
from daifa.config import Settings, load_settings
from daifa.db.engine import make_engine
from daifa.db.uow import Database
from daifa.kit import runtime

app = typer.Typer(help="daifa: a dropship supply-chain hub.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
admin_app = typer.Typer(help="Platform admins.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
docs_app = typer.Typer(help="Generated documentation.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
app.add_typer(demo_app, name="demo")
app.add_typer(docs_app, name="docs")
app.add_typer(audit_app, name="audit")
app.add_typer(catalog_app, name="catalog")
app.add_typer(shipments_app, name="shipments")
app.add_typer(orders_app, name="orders")
@audit_app.command("verify")
def audit_verify() -> None:
    """Walk the chained audit trail; name the first broken link (exit code 1) or say it holds."""
    from daifa.audit import chain

    with command_ctx("cli:audit verify") as ctx:
        verdict = chain.verify(ctx.session)
    if not verdict.ok:
        console.print(f"[red]broken[/red] after {verdict.checked} events: {verdict.problem}")
        raise typer.Exit(1)
    console.print(f"the audit trail holds: {verdict.checked} sealed events checked")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations to DAIFA_DATABASE_URL."""
    from daifa.db.migrate import upgrade

    settings = load_settings()
    upgrade(settings.database_url, revision)
    console.print(f"database at [bold]{_safe_url(settings)}[/bold] is at {revision}")


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1,
          reload: bool = False,
          with_worker: bool = typer.Option(False, help="Also run the background worker in this "
                                                       "process (single-machine SQLite).")) -> None:
    """Serve the API and the console."""
    import os

    import uvicorn

    from daifa.api import logs
    from daifa.app import SERVER_OPTIONS

    if with_worker:
        os.environ["DAIFA_EMBEDDED_WORKER"] = "true"  # read by the app factory's settings
    settings = load_settings()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        # SQLite has one writer: several processes would only queue on its lock (or answer
        # "database is locked"), so one process serves, and says why.
        console.print(f"[yellow]SQLite is served by one process, not {workers}[/yellow]: set "
                      "DAIFA_DATABASE_URL to PostgreSQL to run several.")
        workers = 1
    if workers > 1:
        _several_processes(settings)
    console.print(f"daifa on [bold]http://{host}:{port}[/bold] (database {_safe_url(settings)})")
    uvicorn.run("daifa.app:build", host=host, port=port, workers=workers, reload=reload,
                factory=True, log_level="info", log_config=logs.config(settings.log_format),
                **SERVER_OPTIONS)


def _several_processes(settings: Settings) -> None:
    """What a server of several processes needs before they start: rate-limit buckets they
    share, and metrics added up across them (api.metrics)."""
    from daifa.api import metrics

    if settings.rate_limit_per_second > 0 and settings.resolved_rate_limit_store() == "memory":
        console.print("[red]DAIFA_RATE_LIMIT_STORE=memory keeps each process's own buckets[/red]"
                      ": with several workers use redis (DAIFA_REDIS_URL) or database.")
        raise typer.Exit(2)
    metrics.prepare_multiprocess(settings.var_dir)


@app.command()
def worker(once: bool = typer.Option(False, help="Run one round and exit."),
           concurrency: int = typer.Option(1, min=1, help="Jobs run at once, on threads of "
                                                          "this process (PostgreSQL).")) -> None:
    """Run background jobs: expiries, deadlines, webhooks. Stops on SIGTERM or SIGINT, letting
    running jobs finish within DAIFA_WORKER_GRACE_SECONDS."""
    from daifa.api import logs
    from daifa.db.engine import worker_pool
    from daifa.worker import Worker, run_until_signalled

    settings = load_settings()
    logs.configure(settings.log_format)
    if concurrency > 1 and settings.database_url.startswith("sqlite"):
        # SQLite has one writer: runner threads would only queue for its lock.
        console.print(f"[yellow]SQLite runs one job at a time, not {concurrency}[/yellow]: set "
                      "DAIFA_DATABASE_URL to PostgreSQL to run several.")
        concurrency = 1
    # The worker's statements get the upload budget: a background import lands as a file
    # upload does.
    db = Database(make_engine(settings.database_url,
                              statement_seconds=settings.upload_time_budget_seconds,
                              **worker_pool(concurrency)))
    runtime.settle()
    try:
        if once:
            Worker(settings=settings, db=db).run_forever(once=True)
        else:
            run_until_signalled(Worker(settings=settings, db=db), concurrency)
    finally:
        db.dispose()


@admin_app.command("create")
def admin_create(login: str = typer.Option(...), password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True),
        display_name: str = typer.Option("Platform admin")) -> None:
    """Create a platform admin."""
    from daifa.identity import service as identity

    with command_ctx("cli:admin create") as ctx:
        account = identity.signup(ctx, login, password, display_name, is_admin=True)
        console.print(f"admin [bold]{account.login}[/bold] created")


@demo_app.command("seed")
def demo_seed() -> None:
    """Idempotently load demo shops, suppliers and bindings."""
    from daifa.cli.demo import seed

    with command_ctx("cli:demo seed") as ctx:
        for line in seed(ctx):
            console.print(line, soft_wrap=True)


@docs_app.command("states")
def docs_states(write: bool = typer.Option(False, help="Write docs/states.md instead of "
                                                       "printing it.")) -> None:
    """Render the state machines from the transition tables."""
    from pathlib import Path

    from daifa.cli.statesdoc import render

    if write:
        Path("docs/states.md").write_text(render(), encoding="utf-8")
        console.print("wrote docs/states.md")
    else:
        typer.echo(render())


@docs_app.command("errors")
def docs_errors(write: bool = typer.Option(False, help="Write docs/errors.md instead of "
                                                       "printing it.")) -> None:
    """List the error codes (code, HTTP status, title, package) from the error classes."""
    from pathlib import Path

    from daifa.cli.errorsdoc import render

    if write:
        Path("docs/errors.md").write_text(render(), encoding="utf-8")
        console.print("wrote docs/errors.md")
    else:
        typer.echo(render())


if __name__ == "__main__":
    app()
