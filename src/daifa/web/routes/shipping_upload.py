"""Shipping by spreadsheet in the console: template, preview (a dry run of every row), commit.

Committing the same file twice ships nothing twice: those rows say `already_shipped`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from daifa.context import Ctx
from daifa.shipping import upload
from daifa.shipping.carriers import CARRIERS
from daifa.suppliers import service as suppliers
from daifa.web import sheets
from daifa.web.page import Page
from daifa.web.shipping_words import ShippingWords

router = APIRouter(include_in_schema=False)


def _shipping(ctx: Ctx, supplier: Any, current: Page) -> dict[str, Any]:
    return {"carriers": CARRIERS, "shipping": ShippingWords(current.gettext)}


sheets.mount(router, sheets.SheetPage(
    importer=upload.SHIPMENTS, path="/suppliers/{owner_id}/shipments/upload",
    page="shipping/upload.html", owner=suppliers.owned, owner_name="supplier",
    download="shipments-template", extra=_shipping))
