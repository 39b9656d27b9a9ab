"""Orders from a CSV/XLSX/XLS file in the console: template, preview (a dry run), commit."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from daifa.context import Ctx
from daifa.fulfilment import order_files as files
from daifa.shops import service as shops
from daifa.web import sheets
from daifa.web.page import Page
from daifa.web.routes.orders import names
from daifa.web.words import Words

router = APIRouter(include_in_schema=False)


def _routing(ctx: Ctx, shop: Any, current: Page) -> dict[str, Any]:
    """Supplier names and routing words for the preview's "where the lines would go"."""
    known = names(ctx, shop)
    return {"names": known, "routing": Words(current.gettext, known)}


sheets.mount(router, sheets.SheetPage(
    importer=files.ORDERS, path="/shops/{owner_id}/order-upload", page="orders/upload.html",
    owner=shops.owned, owner_name="shop", download="orders-template", extra=_routing))
