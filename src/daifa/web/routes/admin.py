"""Platform review of suppliers: pending first, then the rest by status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form

from daifa.errors import ValidationFailed
from daifa.kit.pagination import BadCursor, decode_cursor, encode_cursor
from daifa.suppliers import service as suppliers
from daifa.suppliers.states import SUPPLIER_TRANSITIONS, SupplierStatus
from daifa.web.page import Page, form_page, page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
ACTIONS = frozenset(SUPPLIER_TRANSITIONS.actions())
PAGE_SIZE = 50


def _after(cursor: str) -> int | None:
    try:
        return decode_cursor(cursor)
    except BadCursor as exc:
        raise ValidationFailed(code="INVALID_CURSOR", fields="cursor") from exc


@router.get("/admin/suppliers")
def review_list(status: str = "", cursor: str = "", current: Page = Depends(page)) -> object:
    """Every status in its own group, pending first; `?status=` pages through one group."""
    shown = [SupplierStatus(status)] if status in set(SupplierStatus) else list(SupplierStatus)
    with current.ctx() as ctx:
        after = _after(cursor) if len(shown) == 1 else None
        groups = []
        for each in shown:
            rows = suppliers.admin_list(ctx, each, after, PAGE_SIZE)
            more = encode_cursor(rows[-1].id) if len(rows) == PAGE_SIZE else None
            groups.append((each, [suppliers.to_private(s) for s in rows], more))
        actions = {s.supplier_id: SUPPLIER_TRANSITIONS.moves(s.status)
                   for _, rows, _ in groups for s in rows}
        return current.render("admin_suppliers.html", groups=groups, actions=actions,
                              single=len(shown) == 1)


@router.post("/admin/suppliers/{supplier_id}/{action}")
def review(supplier_id: str, action: str, reason: Text = "",
           current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        if action not in ACTIONS:
            return current.redirect("/admin/suppliers")
        with current.attempt(ctx, form=f"review-{supplier_id}") as outcome:
            supplier = suppliers.review(ctx, supplier_id, action, reason.strip() or None)
        if outcome.ok:
            current.flash("success", current.gettext(
                "%(name)s (%(id)s) is now %(status)s.", name=supplier.name,
                id=supplier.supplier_id, status=supplier.status))
    return current.redirect("/admin/suppliers")
