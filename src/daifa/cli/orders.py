"""`daifa orders import FILE --shop SH...`: a shop's orders from a spreadsheet, routed as they
land."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from daifa.cli.sheets import FORMATS, AsJson, FileArgument, run_import
from daifa.fulfilment import order_files as files
from daifa.orders import service

orders_app = typer.Typer(help="Shop orders.", no_args_is_help=True)

IMPORT_HELP = (
    f"Import a shop's orders from {FORMATS}, one row per order line; rows with the same "
    "external_id make one order. Good orders are created and routed by the shop's dispatch "
    "settings; an order with a bad row is left out and each bad row is reported with its "
    "reason; orders already there are left alone, so importing the same file again changes "
    "nothing."
    "\n\nColumns: external_id, buyer_name, buyer_phone, province, city, district, "
    "address_detail, sku_code, quantity, unit_price (yuan) or unit_price_fen, paid_at; or "
    "订单号, 收件人, 手机号, 省, 市, 区, 详细地址, SKU编码, 数量, 单价, 付款时间."
    "\n\nExit code 1 when some rows were rejected."
)


@orders_app.command("import", help=IMPORT_HELP)
def import_orders(
    file: Path = FileArgument,
    shop: str = typer.Option(..., "--shop", help="The Shop ID, SH..."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Check every row and show how the orders would be "
                                      "routed; change nothing."),
    as_json: bool = AsJson,
) -> None:
    run_import(files.ORDERS, file, label="cli:orders import",
               owner=lambda ctx: service.shop_for(ctx, shop), dry_run=dry_run,
               as_json=as_json, extra=_routing)


def _routing(result: files.FileResult) -> None:
    from daifa.cli.common import console

    if result.routed or result.waiting:
        table = Table("lines go to", "lines", "quantity", title="routing of the new orders")
        for share in result.routed:
            table.add_row(share.supplier_id, str(share.lines), str(share.quantity))
        for waiting in result.waiting:
            table.add_row(f"waiting: {waiting.reason}", str(waiting.lines),
                          str(waiting.quantity))
        console.print(table)
