"""The supplier's dispatch-order inbox across all its shops. The recipient shows the region and a
masked name and phone; sale prices never appear. One dispatch order, with what the supplier can
do to it, is routes/fulfilment.py."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from daifa.dispatch import inbox
from daifa.dispatch.states import OPEN_STATUSES, DispatchStatus
from daifa.shipping import views
from daifa.suppliers import service as suppliers
from daifa.web import forms
from daifa.web.page import Page, page

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
# Every status, the open ones first, each group in the lifecycle's order.
TABS = sorted(DispatchStatus, key=lambda status: status not in OPEN_STATUSES)


@router.get("/suppliers/{supplier_id}/dispatch-orders")
def inbox_page(supplier_id: str, status: str = "", cursor: str = "",
               current: Page = Depends(page)) -> object:
    chosen = DispatchStatus(status) if status in set(DispatchStatus) else None
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        found = views.for_supplier(ctx, supplier, chosen, forms.cursor_key(cursor), PAGE_SIZE)
        return current.render(
            "inbox/list.html", supplier=supplier, items=found.items,
            next_cursor=found.next_cursor(), first_shown=bool(cursor), status=chosen,
            tabs=TABS, counts=inbox.status_counts(ctx, supplier),
            shop_names=inbox.shop_names(ctx, (d.shop_id for d in found.items)))
