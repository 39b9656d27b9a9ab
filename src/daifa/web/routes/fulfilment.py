"""One dispatch order as its supplier works on it: accept or reject, ship a parcel (all that is
left, or per-line quantities), correct a tracking number, place or release a hold, answer the
shop's cancel request, see the full recipient (recorded, with a purpose, within the daily limit),
print its label; the timeline below.

Every action first checks the number is this supplier's (`console_queries.for_supplier`): under
another supplier's URL, or for another supplier's number, it is a 404 like a missing one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Response

from daifa.context import Ctx
from daifa.dispatch import actions, holds, lifecycle, recipient
from daifa.dispatch.schemas import FullRecipient, HoldIn, NoteIn, RejectIn
from daifa.dispatch.states import HoldReason, RejectReason
from daifa.fulfilment import timeline
from daifa.shipping import console_queries as queries
from daifa.shipping import service as shipping
from daifa.shipping.carriers import CARRIERS
from daifa.shipping.schemas import CorrectionIn, ShipIn
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier
from daifa.web import forms
from daifa.web.page import Page, form_page, page
from daifa.web.shipping_words import HOLD_CHOICES, REJECT_CHOICES, ShippingWords
from daifa.web.timeline_words import TimelineWords

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
PDF = "application/pdf"
BASE = "/suppliers/{supplier_id}/dispatch-orders/{no}"
LIMIT_CODE = "RECIPIENT_REVEAL_LIMIT"


def detail_url(supplier_id: str, no: str, anchor: str = "") -> str:
    return f"/suppliers/{supplier_id}/dispatch-orders/{no.strip().upper()}" + (
        f"#{anchor}" if anchor else "")


def _view(current: Page, ctx: Ctx, supplier: Supplier, no: str,
          full: FullRecipient | None = None) -> dict[str, Any]:
    order, shop = queries.for_supplier(ctx, supplier, no)
    return {"supplier": supplier, "order": order, "shop": shop, "full": full,
            "actions": actions.of(order, "supplier"),
            "story": timeline.fold_repeats(timeline.for_dispatch_order(
                ctx, order.dispatch_order_no)),
            "tw": TimelineWords(current.gettext, current.locale), "now": ctx.now(),
            "carriers": CARRIERS, "words": ShippingWords(current.gettext),
            "reject_choices": REJECT_CHOICES, "hold_choices": HOLD_CHOICES,
            "purposes": [p.value for p in recipient.Purpose]}


@router.get(BASE)
def dispatch_order(supplier_id: str, no: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return current.render("inbox/detail.html", **_view(current, ctx, supplier, no))


def _mine(ctx: Ctx, supplier_id: str, no: str) -> str:
    """The dispatch order's number once it is known to be this supplier's (else 404)."""
    order, _ = queries.for_supplier(ctx, suppliers.owned(ctx, supplier_id), no)
    return order.dispatch_order_no


@router.post(BASE + "/accept")
def accept(supplier_id: str, no: str, current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        number = _mine(ctx, supplier_id, no)
        with current.attempt(ctx, form="decide") as outcome:
            lifecycle.accept(ctx, number)
        if outcome.ok:
            current.flash("success", current.gettext(
                "Accepted. Ship it by the ship-by time."), form="decide")
    return current.redirect(detail_url(supplier_id, no))


@router.post(BASE + "/reject")
def reject(supplier_id: str, no: str, reason: Text = "", note: Text = "",
           current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        number = _mine(ctx, supplier_id, no)
        with current.attempt(ctx, form="decide") as outcome:
            body = RejectIn.model_validate({"reason": reason, "note": note.strip() or None})
            lifecycle.reject(ctx, number, RejectReason(body.reason), body.note)
        if outcome.ok:
            current.flash("success", current.gettext(
                "Rejected. The shop's backup supplier or the shop takes it from here."),
                form="decide")
    return current.redirect(detail_url(supplier_id, no))


def _ship_body(carrier: str, tracking_no: str, line_id: list[str],
               quantity: list[str]) -> ShipIn:
    """The ship form as the API's body: per-line quantities, 0 or empty lines left out; all
    lines at what is left is the same as no lines."""
    rows = forms.rows({"line_id": line_id, "quantity": quantity})
    lines = [row for row in rows if row["quantity"].lstrip("0")]
    if not lines:
        raise forms.invalid("quantity")
    return ShipIn.model_validate({"carrier": carrier, "tracking_no": tracking_no,
                                  "lines": lines})


@router.post(BASE + "/ship")
def ship(supplier_id: str, no: str, carrier: Text = "", tracking_no: Text = "",
         line_id: Texts = [], quantity: Texts = [],  # noqa: B006
         current: Page = Depends(form_page)) -> object:
    typed = {"carrier": carrier, "tracking_no": tracking_no}
    words = ShippingWords(current.gettext)
    with current.ctx(write=True) as ctx:
        number = _mine(ctx, supplier_id, no)
        with current.attempt(ctx, form="ship", values=typed) as outcome:
            body = _ship_body(carrier, tracking_no, line_id, quantity)
            lines = [(line.line_id, line.quantity) for line in body.lines or []]
            out = shipping.ship(ctx, number, body.carrier, body.tracking_no, lines)
        if outcome.ok:
            current.flash("success", current.gettext(
                "Parcel %(tracking)s recorded; the dispatch order is now %(status)s.",
                tracking=out.shipments[-1].tracking_no if out.shipments else tracking_no,
                status=out.status), form="ship")
            for warning in out.warning_details:
                current.flash("warning", words.notice(warning.code, warning.params), form="ship")
    return current.redirect(detail_url(supplier_id, no, "ship" if not outcome.ok else ""))


@router.post(BASE + "/shipments/{shipment_id}/correct")
def correct(supplier_id: str, no: str, shipment_id: int, carrier: Text = "",
            tracking_no: Text = "", reason: Text = "",
            current: Page = Depends(form_page)) -> object:
    words = ShippingWords(current.gettext)
    with current.ctx(write=True) as ctx:
        order, _ = queries.for_supplier(ctx, suppliers.owned(ctx, supplier_id), no)
        number = order.dispatch_order_no
        known = any(parcel.shipment_id == shipment_id for parcel in order.shipments)
        form = f"correct-{shipment_id}" if known else "parcels"  # where the page shows it
        with current.attempt(ctx, form=form, values={"tracking_no": tracking_no,
                                                     "reason": reason}) as outcome:
            body = CorrectionIn.model_validate({"carrier": carrier or None,
                                               "tracking_no": tracking_no,
                                               "reason": reason.strip() or None})
            out = shipping.correct(ctx, number, shipment_id, body.tracking_no, body.carrier,
                                   body.reason)
        if outcome.ok:
            current.flash("success", current.gettext("Tracking number corrected; the old one "
                                                     "stays on the timeline."), form=form)
            for warning in out.warning_details:
                current.flash("warning", words.notice(warning.code, warning.params), form=form)
    return current.redirect(detail_url(supplier_id, no, "parcels"))


@router.post(BASE + "/hold")
def hold(supplier_id: str, no: str, reason: Text = "", note: Text = "",
         current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        number = _mine(ctx, supplier_id, no)
        with current.attempt(ctx, form="hold") as outcome:
            body = HoldIn.model_validate({"reason": reason, "note": note.strip() or None})
            holds.place(ctx, number, HoldReason(body.reason), body.note)
        if outcome.ok:
            current.flash("success", current.gettext("On hold: nothing ships until the hold is "
                                                     "released."), form="hold")
    return current.redirect(detail_url(supplier_id, no))


@router.post(BASE + "/release")
def release(supplier_id: str, no: str, note: Text = "",
            current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        number = _mine(ctx, supplier_id, no)
        with current.attempt(ctx, form="hold") as outcome:
            body = NoteIn.model_validate({"note": note.strip() or None})
            holds.release(ctx, number, body.note)
        if outcome.ok:
            current.flash("success", current.gettext("Hold released."), form="hold")
    return current.redirect(detail_url(supplier_id, no))


@router.post(BASE + "/cancel/accept")
def accept_cancel(supplier_id: str, no: str, current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        number = _mine(ctx, supplier_id, no)
        with current.attempt(ctx, form="decide") as outcome:
            lifecycle.accept_cancel(ctx, number)
        if outcome.ok:
            current.flash("success", current.gettext("Cancelled as the shop asked."),
                          form="decide")
    return current.redirect(detail_url(supplier_id, no))


@router.post(BASE + "/cancel/refuse")
def refuse_cancel(supplier_id: str, no: str, note: Text = "",
                  current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        number = _mine(ctx, supplier_id, no)
        with current.attempt(ctx, form="decide") as outcome:
            body = NoteIn.model_validate({"note": note.strip() or None})
            lifecycle.refuse_cancel(ctx, number, body.note)
        if outcome.ok:
            current.flash("success", current.gettext(
                "Cancel request refused; the dispatch order is accepted again."), form="decide")
    return current.redirect(detail_url(supplier_id, no))


@router.post(BASE + "/recipient")
def reveal(supplier_id: str, no: str, purpose: Text = "label",
           current: Page = Depends(form_page)) -> object:
    """The full recipient, shown on this response only (never in a cookie or a redirect)."""
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        number = _mine(ctx, supplier_id, no)
        full = None
        with current.attempt(ctx, form="recipient") as outcome:
            chosen = recipient.Purpose(purpose) if purpose in set(recipient.Purpose) else None
            if chosen is None:
                raise forms.invalid("purpose")
            full = recipient.reveal(ctx, number, chosen)
        status = 429 if outcome.error and outcome.error.code == LIMIT_CODE else 200
        return current.render("inbox/detail.html", status_code=status,
                              **_view(current, ctx, supplier, number, full))


@router.post(BASE + "/label.pdf")
def label(supplier_id: str, no: str, current: Page = Depends(form_page)) -> Response:
    """The label as a PDF in a new tab (a recorded reveal, purpose label); on a refusal the tab
    shows the dispatch order with the reason."""
    content = b""
    with current.ctx(write=True) as ctx:
        number = _mine(ctx, supplier_id, no)
        with current.attempt(ctx, form="label") as outcome:
            content = recipient.label(ctx, number)
    if not outcome.ok:
        return current.redirect(detail_url(supplier_id, no))
    return current.finish(Response(content, media_type=PDF, headers={
        "Content-Disposition": f'inline; filename="{number}.pdf"'}))
