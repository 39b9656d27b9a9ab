"""`daifa orders import FILE --shop SH...`: a shop's orders from CSV or XLSX, routed as they
land."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from daifa.orders import files, service

orders_app = typer.Typer(help="Shop orders.", no_args_is_help=True)

IMPORT_HELP = (
    "Import a shop's orders from CSV (UTF-8, UTF-8 with BOM, GB18030) or XLSX, one row per "
    "order line; rows with the same external_id make one order. Good orders are created and "
    "routed by the shop's dispatch settings; an order with a bad row is left out and each bad "
    "row is reported with its reason; orders already there are left alone, so importing the "
    "same file again changes nothing."
    "\n\nColumns: external_id, buyer_name, buyer_phone, province, city, district, "
    "address_detail, sku_code, quantity, unit_price (yuan) or unit_price_fen, paid_at; or "
    "订单号, 收件人, 手机号, 省, 市, 区, 详细地址, SKU编码, 数量, 单价, 付款时间."
    "\n\nExit code 1 when some rows were rejected."
)


@orders_app.command("import", help=IMPORT_HELP)
def import_orders(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True,
                                help="CSV or XLSX file"),
    shop: str = typer.Option(..., "--shop", help="The Shop ID, SH..."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Check every row and show how the orders would be "
                                      "routed; change nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print the per-row result as JSON."),
) -> None:
    from daifa.cli.common import command_ctx, console

    content = file.read_bytes()
    with command_ctx("cli:orders import") as ctx:
        target = service.shop_for(ctx, shop)
        table = files.read(content)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                      transient=as_json) as bar:
            task = bar.add_task(f"importing {file.name}", total=len(table.rows))
            result = files.import_table(ctx, target, table, dry_run=dry_run,
                                        progress=lambda n: bar.advance(task, n))
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        _print(result)
    if result.summary.orders_error:
        raise typer.Exit(1)


def _print(result: files.FileResult) -> None:
    from daifa.cli.common import console

    bad = [row for row in result.rows if row.errors]
    if bad:
        table = Table("row", "external_id", "sku_code", "column", "reason",
                      title="rejected rows")
        for row in bad:
            for error in row.errors:
                table.add_row(f"第{row.row}行", row.external_id, row.sku_code, error.column,
                              error.reason)
        console.print(table)
    if result.routed or result.waiting:
        table = Table("lines go to", "lines", "quantity", title="routing of the new orders")
        for share in result.routed:
            table.add_row(share.supplier_id, str(share.lines), str(share.quantity))
        for waiting in result.waiting:
            table.add_row(f"waiting: {waiting.reason}", str(waiting.lines),
                          str(waiting.quantity))
        console.print(table)
    s = result.summary
    prefix = "[yellow]dry run[/yellow]: " if result.dry_run else ""
    console.print(f"{prefix}{s.orders_created} orders created, {s.orders_existing} already "
                  f"there, {s.orders_error} rejected ({s.rows} rows)")
