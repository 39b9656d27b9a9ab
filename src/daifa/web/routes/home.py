"""The dashboard: the person's shops and suppliers, with what to do next."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from daifa.bindings import applications
from daifa.shops import service as shops
from daifa.suppliers import service as suppliers
from daifa.web.page import Page, page

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard(current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        my_suppliers = suppliers.mine(ctx)
        waiting = {s.id: applications.pending_count(ctx, s) for s in my_suppliers}
        return current.render("dashboard.html", shops=shops.mine(ctx),
                              suppliers=my_suppliers, waiting=waiting)
