"""After-sales in the console, phone first: the shop opens a case from an order and follows its
cases; the supplier answers them in its after-sales queue and keeps its return addresses; a
platform admin works the arbitration queue. One case page serves all three, showing each reader
only the moves it may make now."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Response, UploadFile

from daifa.aftersales import access, actions, addresses, evidence, opening, views
from daifa.aftersales.schemas import (
    CancelIn,
    CaseIn,
    CaseLineIn,
    DecideIn,
    EscalateIn,
    ReceiveIn,
    RejectIn,
    ReturnAddressIn,
    ReturnShipmentIn,
)
from daifa.aftersales.states import (
    RETURN_TYPES,
    CaseReason,
    CaseRejectReason,
    CaseStatus,
    CaseType,
    Condition,
    Liability,
)
from daifa.aftersales.views import SupplierTab
from daifa.context import Ctx
from daifa.errors import Forbidden, ValidationFailed
from daifa.fulfilment import timeline
from daifa.shops import service as shops
from daifa.suppliers import service as suppliers
from daifa.web import forms
from daifa.web.aftersales_words import CaseWords
from daifa.web.page import Page, form_page, page
from daifa.web.security import safe_next
from daifa.web.shipping_words import ShippingWords
from daifa.web.timeline_words import TimelineWords

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Texts = Annotated[list[str], Form()]
PAGE_SIZE = 20


def case_url(no: str) -> str:
    return f"/after-sales/{no}"


def _render_list(current: Page, template: str, **context: Any) -> object:
    return current.render(template, words=CaseWords(current.gettext), **context)


# --- lists ----------------------------------------------------------------------------------

@router.get("/shops/{shop_id}/after-sales")
def shop_cases(shop_id: str, status: str = "", cursor: str = "",
               current: Page = Depends(page)) -> object:
    chosen = CaseStatus(status) if status in set(CaseStatus) else None
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        found = views.listed(ctx, views.cases(shop_pk=shop.id, status=chosen), "shop",
                             forms.cursor_key(cursor), PAGE_SIZE)
        return _render_list(current, "aftersales/shop_list.html", shop=shop,
                            items=found.items, status=chosen, statuses=list(CaseStatus),
                            counts=views.counts(ctx, shop_pk=shop.id), now=ctx.now(),
                            next_cursor=found.next_cursor(), first_shown=bool(cursor))


@router.get("/suppliers/{supplier_id}/after-sales")
def supplier_cases(supplier_id: str, tab: str = "", cursor: str = "",
                   current: Page = Depends(page)) -> object:
    chosen = SupplierTab(tab) if tab in set(SupplierTab) else SupplierTab.TO_ANSWER
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        query = views.cases(supplier_pk=supplier.id).where(views.supplier_tab(chosen))
        found = views.listed(ctx, query, "supplier", forms.cursor_key(cursor), PAGE_SIZE)
        return _render_list(current, "aftersales/supplier_list.html", supplier=supplier,
                            items=found.items, tab=chosen, tabs=list(SupplierTab),
                            counts=views.supplier_counts(ctx, supplier.id), now=ctx.now(),
                            has_address=bool(addresses.listed(ctx, supplier)),
                            next_cursor=found.next_cursor(), first_shown=bool(cursor))


@router.get("/admin/after-sales")
def arbitration_queue(cursor: str = "", current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        if not ctx.actor.is_admin:
            raise Forbidden()  # platform admins only
        found = views.listed(ctx, views.cases(status=CaseStatus.IN_ARBITRATION), "admin",
                             forms.cursor_key(cursor), PAGE_SIZE)
        return _render_list(current, "aftersales/arbitration.html", items=found.items,
                            now=ctx.now(), next_cursor=found.next_cursor(),
                            first_shown=bool(cursor))


# --- opening a case -------------------------------------------------------------------------

@router.get("/shops/{shop_id}/orders/{order_id}/after-sales/new")
def new_case(shop_id: str, order_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        lines = opening.claimable(ctx, shop, order_id)
        return _render_list(current, "aftersales/new.html", shop=shop, order_id=order_id,
                            lines=lines, types=list(CaseType), reasons=list(CaseReason),
                            any_eligible=any(line.eligible for line in lines))


@router.post("/shops/{shop_id}/orders/{order_id}/after-sales")
def open_case(shop_id: str, order_id: str, type: Text = "", reason: Text = "",
              note: Text = "", refund: Text = "", exchange_sku_code: Text = "",
              line_id: Texts = [], quantity: Texts = [],  # noqa: B006
              photo: UploadFile | None = File(None),
              current: Page = Depends(form_page)) -> object:
    """The case (one per supplier that shipped the units), and the photo as its evidence."""
    back = f"/shops/{shop_id}/orders/{order_id}/after-sales/new"
    filename = photo.filename if photo is not None and photo.filename else ""
    opened: list[str] = []
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        values = {"type": type, "reason": reason, "note": note, "refund": refund,
                  "exchange_sku_code": exchange_sku_code}
        with current.attempt(ctx, form="open", values=values) as outcome:
            data = _case_in(type, reason, note, refund, exchange_sku_code, line_id, quantity)
            content = (evidence.read_upload(photo.file, current.hub.settings)
                       if photo is not None and filename else b"")
            targets = opening.open_cases(ctx, shop, order_id, data)
            opened = [target.no for target in targets]
            if content:  # the one photo goes with every case the claim opened
                for no in opened:
                    evidence.add(ctx, no, filename, content)
    if not outcome.ok:
        return current.redirect(back)
    current.flash("success", current.gettext("%(n)s after-sales cases opened.", n=len(opened)))
    if len(opened) == 1:
        return current.redirect(case_url(opened[0]))
    return current.redirect(f"/shops/{shop_id}/after-sales")


def _case_in(kind: str, reason: str, note: str, refund: str, exchange_sku: str,
             line_ids: list[str], quantities: list[str]) -> CaseIn:
    lines = []
    for raw_id, raw_quantity in zip(line_ids, quantities, strict=False):
        count = forms.optional_int(raw_quantity, "quantity")
        if count:
            lines.append(CaseLineIn(line_id=int(raw_id), quantity=count))
    if not lines:
        raise ValidationFailed(fields="quantity")
    return CaseIn(type=kind, reason=reason, lines=lines, note=note.strip() or None,
                  refund_fen=forms.fen(refund, "refund") if refund.strip() else None,
                  exchange_sku_code=exchange_sku.strip() or None)


# --- one case -------------------------------------------------------------------------------

@router.get("/after-sales/{case_no}")
def case_page(case_no: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        target = access.find(ctx, case_no)
        case = views.shown(ctx, target)
        story = (timeline.for_dispatch_order(ctx, case.dispatch_order_no) if target.as_supplier
                 and not target.as_shop else timeline.of_order(ctx, target.shop,
                                                                target.case.order_pk))
        return current.render(
            "aftersales/case.html", case=case, party=target.party, shop=target.shop,
            supplier=target.supplier, words=CaseWords(current.gettext), now=ctx.now(),
            shipping_words=ShippingWords(current.gettext),
            addresses=(addresses.listed(ctx, target.supplier) if target.as_supplier else []),
            needs_return_address=CaseType(case.type) in RETURN_TYPES,
            reject_reasons=list(CaseRejectReason), conditions=list(Condition),
            liabilities=list(Liability), back=current.here,
            story=timeline.fold_repeats(story),
            tw=TimelineWords(current.gettext, current.locale))


def _act(current: Page, case_no: str, form: str,
         act: Callable[[Ctx], access.CaseTarget]) -> object:
    """One move from a form: the form's fields go through the API's input models (the same
    rules, the same codes), a refusal comes back next to the form."""
    with current.ctx(write=True) as ctx:
        with current.attempt(ctx, form=form) as outcome:
            target = act(ctx)
        if outcome.ok:
            current.flash("success", current.gettext(
                "The case is now: %(status)s.",
                status=CaseWords(current.gettext).status(target.case.status)))
    return current.redirect(case_url(case_no))


@router.post("/after-sales/{case_no}/approve")
def approve(case_no: str, return_address_id: Text = "",
            current: Page = Depends(form_page)) -> object:
    return _act(current, case_no, "approve", lambda ctx: actions.approve(
        ctx, case_no, forms.optional_int(return_address_id, "return_address_id")))


@router.post("/after-sales/{case_no}/reject")
def reject(case_no: str, reason: Text = "", note: Text = "",
           current: Page = Depends(form_page)) -> object:
    def run(ctx: Ctx) -> access.CaseTarget:
        data = RejectIn.model_validate({"reason": reason, "note": note or None})
        return actions.reject(ctx, case_no, data.reason, data.note)

    return _act(current, case_no, "reject", run)


@router.post("/after-sales/{case_no}/return-shipment")
def return_shipment(case_no: str, carrier: Text = "", tracking_no: Text = "",
                    current: Page = Depends(form_page)) -> object:
    def run(ctx: Ctx) -> access.CaseTarget:
        data = ReturnShipmentIn.model_validate({"carrier": carrier, "tracking_no": tracking_no})
        return actions.send_return(ctx, case_no, data.carrier, data.tracking_no)

    return _act(current, case_no, "return-shipment", run)


@router.post("/after-sales/{case_no}/receive")
def receive(case_no: str, condition: Text = "", note: Text = "",
            current: Page = Depends(form_page)) -> object:
    def run(ctx: Ctx) -> access.CaseTarget:
        data = ReceiveIn.model_validate({"condition": condition, "note": note or None})
        return actions.receive(ctx, case_no, data.condition, data.note)

    return _act(current, case_no, "receive", run)


@router.post("/after-sales/{case_no}/escalate")
def escalate(case_no: str, reason: Text = "", current: Page = Depends(form_page)) -> object:
    def run(ctx: Ctx) -> access.CaseTarget:
        return actions.escalate(ctx, case_no, EscalateIn.model_validate({"reason": reason}).reason)

    return _act(current, case_no, "escalate", run)


@router.post("/after-sales/{case_no}/decide")
def decide(case_no: str, liability: Text = "", refund: Text = "", note: Text = "",
           current: Page = Depends(form_page)) -> object:
    def run(ctx: Ctx) -> access.CaseTarget:
        data = DecideIn.model_validate({"liability": liability, "note": note,
                                        "refund_fen": forms.fen(refund, "refund")})
        return actions.decide(ctx, case_no, data.liability, data.refund_fen, data.note)

    return _act(current, case_no, "decide", run)


@router.post("/after-sales/{case_no}/cancel")
def cancel(case_no: str, reason: Text = "", current: Page = Depends(form_page)) -> object:
    def run(ctx: Ctx) -> access.CaseTarget:
        return actions.cancel(ctx, case_no, CancelIn.model_validate({"reason": reason or None})
                              .reason)

    return _act(current, case_no, "cancel", run)


@router.post("/after-sales/{case_no}/evidence")
def add_evidence(case_no: str, file: UploadFile = File(...),
                 current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        with current.attempt(ctx, form="evidence") as outcome:
            content = evidence.read_upload(file.file, current.hub.settings)
            evidence.add(ctx, case_no, file.filename or "", content)
        if outcome.ok:
            current.flash("success", current.gettext("Evidence added."), form="evidence")
    return current.redirect(case_url(case_no) + "#evidence")


@router.get("/after-sales/{case_no}/evidence/{evidence_id}")
def evidence_file(case_no: str, evidence_id: int, current: Page = Depends(page)) -> Response:
    with current.ctx() as ctx:
        row, content = evidence.read(ctx, case_no, evidence_id)
        media_type = row.media_type
    return current.finish(Response(content, media_type=media_type, headers=evidence.HEADERS))


# --- return addresses -----------------------------------------------------------------------

def _addresses_url(supplier_id: str) -> str:
    return f"/suppliers/{supplier_id}/return-addresses"


@router.get("/suppliers/{supplier_id}/return-addresses")
def return_addresses(supplier_id: str, back: str = "",
                     current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return current.render("aftersales/addresses.html", supplier=supplier,
                              items=addresses.listed(ctx, supplier),
                              back=safe_next(back, "") if back else "")


@router.post("/suppliers/{supplier_id}/return-addresses")
def add_address(supplier_id: str, name: Text = "", phone: Text = "", province: Text = "",
                city: Text = "", district: Text = "", detail: Text = "", is_default: Text = "",
                back: Text = "", current: Page = Depends(form_page)) -> object:
    values = {"name": name, "phone": phone, "province": province, "city": city,
              "district": district, "detail": detail}
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        with current.attempt(ctx, form="address", values=values) as outcome:
            addresses.add(ctx, supplier, ReturnAddressIn.model_validate({
                "name": name, "phone": phone, "is_default": is_default == "1",
                "address": {"province": province, "city": city, "district": district,
                            "detail": detail}}))
        if outcome.ok:
            current.flash("success", current.gettext("Return address saved."), form="address")
    target = _addresses_url(supplier_id)
    return current.redirect(safe_next(back, target) if outcome.ok and back else target)


@router.post("/suppliers/{supplier_id}/return-addresses/{address_id}/default")
def default_address(supplier_id: str, address_id: int,
                    current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        addresses.make_default(ctx, suppliers.owned(ctx, supplier_id), address_id)
    return current.redirect(_addresses_url(supplier_id))


@router.post("/suppliers/{supplier_id}/return-addresses/{address_id}/delete")
def delete_address(supplier_id: str, address_id: int,
                   current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        addresses.delete(ctx, suppliers.owned(ctx, supplier_id), address_id)
    return current.redirect(_addresses_url(supplier_id))
