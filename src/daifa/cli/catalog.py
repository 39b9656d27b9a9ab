"""`daifa catalog import FILE --supplier SP...`: a supplier's products from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from daifa.catalog import importer
from daifa.catalog.schemas import ImportResult

catalog_app = typer.Typer(help="Supply catalog.", no_args_is_help=True)


IMPORT_HELP = (
    "Import supply products from CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX: good rows land, "
    "bad rows are reported with their reason; importing the same file again changes nothing."
    "\n\nColumns: spu_code, title, sku_code, supply_price_fen or supply_price (yuan), stock, "
    "ship_from_region, spec, handling_hours; or 商品编码, 商品名称, SKU编码, 供货价, 库存, 发货地, "
    "规格.\n\nExit code 1 when some rows were rejected."
)


@catalog_app.command("import", help=IMPORT_HELP)
def import_products(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="CSV or XLSX file"),
    supplier: str = typer.Option(..., "--supplier", help="The Supplier ID, SP..."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; change nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the per-row result as JSON."),
) -> None:
    from daifa.cli.common import command_ctx, console
    from daifa.suppliers import service as suppliers

    content = file.read_bytes()
    with command_ctx("cli:catalog import") as ctx:
        owner = suppliers.resolve_reference(ctx, supplier)
        table = importer.read(content)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=as_json) as bar:
            task = bar.add_task(f"importing {file.name}", total=len(table.rows))
            result = importer.import_table(ctx, owner, table, dry_run=dry_run,
                                           progress=lambda n: bar.advance(task, n))
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _report(result)
    if result.summary.error:
        raise typer.Exit(1)


def _report(result: ImportResult) -> None:
    from daifa.cli.common import console

    bad = [row for row in result.rows if row.status == "error"]
    if bad:
        table = Table("row", "spu_code", "sku_code", "column", "reason", title="rejected rows")
        for row in bad:
            for error in row.errors:
                table.add_row(f"第{row.row}行", row.spu_code, row.sku_code, error.column,
                              error.reason)
        console.print(table)
    s = result.summary
    prefix = "[yellow]dry run[/yellow]: " if result.dry_run else ""
    console.print(f"{prefix}{s.created} created, {s.updated} updated, {s.unchanged} unchanged, "
                  f"{s.error} rejected")
