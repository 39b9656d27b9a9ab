"""`daifa shipments import FILE --supplier SP...`: ship a supplier's dispatch orders from a
spreadsheet, as the upload endpoint does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from daifa.shipping import upload

shipments_app = typer.Typer(help="Shipping.", no_args_is_help=True)

IMPORT_HELP = (
    "Ship dispatch orders from CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX: good rows ship, "
    "bad rows are reported with their column and reason; importing the same file again ships "
    "nothing twice (those rows say already_shipped).\n\nColumns: dispatch_order_no, carrier, "
    "tracking_no, and for partial shipments sku_code and quantity; or 代发单号, 快递公司, "
    "快递单号, SKU编码, 数量.\n\nExit code 1 when some rows were rejected."
)


@shipments_app.command("import", help=IMPORT_HELP)
def import_shipments(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="CSV or XLSX file"),
    supplier: str = typer.Option(..., "--supplier", help="The Supplier ID, SP..."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; ship nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the per-row result as JSON."),
) -> None:
    from daifa.cli.common import command_ctx, console
    from daifa.shipping.sheets import parse_shipments
    from daifa.suppliers import service as suppliers

    content = file.read_bytes()
    with command_ctx("cli:shipments import") as ctx:
        owner = suppliers.resolve_reference(ctx, supplier)
        rows = parse_shipments(content, file.name).rows
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=as_json) as bar:
            task = bar.add_task(f"checking {file.name}", total=len(rows))
            outcome = upload.ship_rows(ctx, owner, rows, dry_run=dry_run,
                                       progress=lambda n: bar.advance(task, n))
            bar.update(task, description="shipping" if not dry_run else "checked")
    if as_json:
        typer.echo(orjson.dumps(as_document(outcome), option=orjson.OPT_INDENT_2).decode())
    else:
        _report(outcome)
    if outcome.count("error"):
        raise typer.Exit(1)


def as_document(outcome: upload.Outcome) -> dict[str, Any]:
    """The same document the upload endpoint answers with."""
    return {"dry_run": outcome.dry_run,
            "summary": {"rows": len(outcome.rows), "shipped": outcome.count("shipped"),
                        "ready": outcome.count("ready"),
                        "already_shipped": outcome.count("already_shipped"),
                        "error": outcome.count("error"),
                        "dispatch_orders": outcome.dispatch_orders},
            "rows": [upload.as_dict(row) for row in outcome.rows]}


def _report(outcome: upload.Outcome) -> None:
    from daifa.cli.common import console

    for row in outcome.rows:  # one line each, whatever the terminal's width
        for column, reason, code in row.errors:
            text = f"{row.dispatch_order_no or '-'} {column or 'row'}: {reason} ({code})"
            console.print(f"[red]第{row.row}行[/red] {escape(text)}", soft_wrap=True,
                          highlight=False)
    prefix = "[yellow]dry run[/yellow]: " if outcome.dry_run else ""
    done = outcome.count("ready") if outcome.dry_run else outcome.count("shipped")
    verb = "would ship" if outcome.dry_run else "shipped"
    console.print(f"{prefix}{done} row(s) {verb} ({outcome.dispatch_orders} dispatch orders), "
                  f"{outcome.count('already_shipped')} already shipped, "
                  f"{outcome.count('error')} rejected")
