"""`daifa shipments import FILE --supplier SP...`: ship a supplier's dispatch orders from a
spreadsheet, as the upload endpoint does."""

from __future__ import annotations

from pathlib import Path

import typer

from daifa.cli.sheets import FORMATS, AsJson, FileArgument, run_import
from daifa.shipping import upload

shipments_app = typer.Typer(help="Shipping.", no_args_is_help=True)

IMPORT_HELP = (
    f"Ship dispatch orders from {FORMATS}: good rows ship, bad rows are reported with their "
    "column and reason; importing the same file again ships nothing twice (those rows say "
    "already_shipped).\n\nColumns: dispatch_order_no, carrier, tracking_no, and for partial "
    "shipments sku_code and quantity; or 代发单号, 快递公司, 快递单号, SKU编码, 数量.\n\nExit code "
    "1 when some rows were rejected."
)


@shipments_app.command("import", help=IMPORT_HELP)
def import_shipments(
    file: Path = FileArgument,
    supplier: str = typer.Option(..., "--supplier", help="The Supplier ID, SP..."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; ship nothing."),
    as_json: bool = AsJson,
) -> None:
    from daifa.suppliers import service as suppliers

    run_import(upload.SHIPMENTS, file, label="cli:shipments import",
               owner=lambda ctx: suppliers.resolve_reference(ctx, supplier),
               dry_run=dry_run, as_json=as_json)
