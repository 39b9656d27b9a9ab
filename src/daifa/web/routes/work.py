"""The supplier's work queue, phone first: what waits for it in five tabs (to accept, to ship,
late, on hold, cancel requests), accepting and printing labels for the ticked dispatch orders,
and the auto-accept setting.

Bulk labels are one PDF opened in a new tab; each dispatch order printed is a recorded recipient
reveal with purpose `label` (the service counts it against the daily limit).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Response

from daifa.dispatch import actions, inbox, recipient, workqueue
from daifa.errors import ValidationFailed
from daifa.shipping import console_queries as queries
from daifa.shipping.console_queries import Tab
from daifa.suppliers import service as suppliers
from daifa.web import forms
from daifa.web.page import Page, form_page, page
from daifa.web.security import safe_next
from daifa.web.shipping_words import HOLD_CHOICES, REJECT_CHOICES, ShippingWords

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
PAGE_SIZE = 20
PDF = "application/pdf"


def queue_url(supplier_id: str, tab: str = "") -> str:
    return f"/suppliers/{supplier_id}/work" + (f"?tab={tab}" if tab else "")


@router.get("/suppliers/{supplier_id}/work")
def work_queue(supplier_id: str, tab: str = "", cursor: str = "",
               current: Page = Depends(page)) -> object:
    chosen = Tab(tab) if tab in set(Tab) else Tab.TO_ACCEPT
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        found = queries.work_page(ctx, supplier, chosen, forms.cursor_key(cursor), PAGE_SIZE)
        return current.render(
            "work/queue.html", supplier=supplier, items=found.items, tab=chosen, tabs=list(Tab),
            counts=workqueue.counts(ctx, supplier), next_cursor=found.next_cursor(),
            first_shown=bool(cursor), now=ctx.now(),
            actions=actions.of_each(found.items, "supplier"),
            shop_names=inbox.shop_names(ctx, (d.shop_id for d in found.items)),
            words=ShippingWords(current.gettext), reject_choices=REJECT_CHOICES,
            hold_choices=HOLD_CHOICES, back=current.here)


def _picked(pick: list[str]) -> list[str]:
    ticked = [no for no in pick if no.strip()]
    if not ticked:
        raise ValidationFailed(fields="pick")
    return ticked


@router.post("/suppliers/{supplier_id}/work/accept")
def bulk_accept(supplier_id: str, pick: Texts = [], back: Text = "",  # noqa: B006
                current: Page = Depends(form_page)) -> object:
    """Accept each ticked dispatch order on its own: one refused does not stop the others.
    A number that is not this supplier's is reported like a missing one."""
    target = safe_next(back, queue_url(supplier_id))
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        results: list[workqueue.BulkResult] = []
        with current.attempt(ctx, form="bulk") as outcome:
            wanted = list(dict.fromkeys(no.strip().upper() for no in _picked(pick)))
            mine = queries.numbers_of_supplier(ctx, supplier, wanted)
            results = workqueue.accept_many(ctx, mine) + [
                workqueue.BulkResult(no, error_code="DISPATCH_ORDER_NOT_FOUND")
                for no in wanted if no not in mine]
        if outcome.ok:
            _report(current, results)
    return current.redirect(target)


def _report(current: Page, results: list[workqueue.BulkResult]) -> None:
    done = [r for r in results if r.error_code is None]
    current.flash("success", current.gettext("%(n)s dispatch orders accepted.", n=len(done)),
                  form="bulk")
    for r in results:
        if r.error_code is not None:
            current.flash("error", current.gettext("Dispatch order %(no)s not accepted.",
                                                   no=r.dispatch_order_no),
                          code=r.error_code, form="bulk")


@router.post("/suppliers/{supplier_id}/work/labels")
def bulk_labels(supplier_id: str, pick: Texts = [], back: Text = "",  # noqa: B006
                current: Page = Depends(form_page)) -> Response:
    """One PDF with a label per ticked dispatch order (opened in a new tab); on a refusal the
    tab shows the queue with the reason instead."""
    target = safe_next(back, queue_url(supplier_id))
    content = b""
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        with current.attempt(ctx, form="bulk") as outcome:
            content = recipient.labels(ctx, supplier, _picked(pick))
    if not outcome.ok:
        return current.redirect(target)
    return current.finish(Response(content, media_type=PDF, headers={
        "Content-Disposition": 'inline; filename="labels.pdf"'}))


@router.post("/suppliers/{supplier_id}/settings/auto-accept")
def auto_accept(supplier_id: str, on: Text = "", back: Text = "",
                current: Page = Depends(form_page)) -> object:
    target = safe_next(back, queue_url(supplier_id))
    with current.ctx(write=True) as ctx:
        supplier = workqueue.set_auto_accept(ctx, suppliers.owned(ctx, supplier_id), on == "1")
        current.flash("success", current.gettext(
            "Auto-accept is on: new dispatch orders are accepted as they arrive.")
            if supplier.auto_accept else current.gettext(
            "Auto-accept is off: accept or reject each new dispatch order."), form="settings")
    return current.redirect(target)
