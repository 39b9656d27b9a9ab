"""`daifa catalog import FILE --supplier SP...`: a supplier's products from a spreadsheet."""

from __future__ import annotations

from pathlib import Path

import typer

from daifa.catalog import importer
from daifa.cli.sheets import FORMATS, AsJson, DryRun, FileArgument, run_import

catalog_app = typer.Typer(help="Supply catalog.", no_args_is_help=True)


IMPORT_HELP = (
    f"Import supply products from {FORMATS}: good rows land, bad rows are reported with their "
    "reason; importing the same file again changes nothing."
    "\n\nColumns: spu_code, title, sku_code, supply_price_fen or supply_price (yuan), stock, "
    "ship_from_region, spec, handling_hours; or 商品编码, 商品名称, SKU编码, 供货价, 库存, 发货地, "
    "规格.\n\nExit code 1 when some rows were rejected."
)


@catalog_app.command("import", help=IMPORT_HELP)
def import_products(
    file: Path = FileArgument,
    supplier: str = typer.Option(..., "--supplier", help="The Supplier ID, SP..."),
    dry_run: bool = DryRun,
    as_json: bool = AsJson,
) -> None:
    from daifa.suppliers import service as suppliers

    run_import(importer.PRODUCTS, file, label="cli:catalog import",
               owner=lambda ctx: suppliers.resolve_reference(ctx, supplier),
               dry_run=dry_run, as_json=as_json)
