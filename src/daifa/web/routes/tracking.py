"""Tracking of one dispatch order in the console: its parcels with their events (Chinese labels
and status codes), for its shop and its supplier. ``?fragment=1`` gives the parcels block alone,
for a page that shows it in place (htmx)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from daifa.tracking import views
from daifa.web.page import Page, page

router = APIRouter(include_in_schema=False)


@router.get("/dispatch-orders/{dispatch_order_no}/tracking")
def tracking_page(dispatch_order_no: str, fragment: bool = False,
                  current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        tracking = views.for_dispatch_order(ctx, dispatch_order_no)
        if fragment:
            return current.fragment("tracking.html", "parcels", tracking=tracking)
        return current.render("tracking.html", tracking=tracking)
