"""Supplier onboarding and a supplier's page: inbox, bindings, API keys."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form

from daifa.bindings import applications
from daifa.bindings import service as bindings
from daifa.bindings.states import ApplicationStatus, BindingStatus
from daifa.context import Ctx, Scope
from daifa.identity import service as identity
from daifa.kit.pagination import MAX_LIMIT
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier
from daifa.suppliers.schemas import SupplierIn
from daifa.web.page import Page, form_page, page
from daifa.web.routes import keys
from daifa.web.security import safe_next

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
DECISIONS = ("approve", "reject")


def _url(supplier_id: str, anchor: str = "") -> str:
    return f"/suppliers/{supplier_id}" + (f"#{anchor}" if anchor else "")


@router.get("/suppliers/new")
def onboard_form(next: str = "", current: Page = Depends(page)) -> object:
    with current.ctx():
        return current.render("supplier_new.html", next_url=safe_next(next, ""))


@router.post("/suppliers")
def onboard(name: Text = "", contact_phone: Text = "", contact_name: Text = "",
            region: Text = "", next: Text = "", current: Page = Depends(form_page)) -> object:
    typed = {"name": name, "contact_phone": contact_phone, "contact_name": contact_name,
             "region": region}
    with current.ctx(write=True) as ctx, \
            current.attempt(ctx, form="onboard", values=typed) as outcome:
        supplier = suppliers.onboard(ctx, SupplierIn.model_validate(typed))
        current.flash("success", current.gettext(
            "Welcome aboard! Your Supplier ID is %(id)s. The platform reviews new suppliers; "
            "you can be bound once it approves.", id=supplier.supplier_id))
    if not outcome.ok:
        again = f"?next={quote(next, safe='/')}" if next else ""
        return current.redirect(f"/suppliers/new{again}")
    return current.redirect(safe_next(next, _url(supplier.supplier_id)))


def _supplier_view(ctx: Ctx, supplier: Supplier) -> dict[str, Any]:
    bound = bindings.for_supplier(ctx, supplier, limit=MAX_LIMIT).items
    received = applications.incoming(ctx, supplier, limit=MAX_LIMIT).items
    return {
        "supplier": suppliers.to_private(supplier),
        "active": [b for b in bound if b.status == BindingStatus.ACTIVE],
        "ended": [b for b in bound if b.status != BindingStatus.ACTIVE],
        "inbox": [a for a in received if a.status == ApplicationStatus.PENDING],
        "decided": [a for a in reversed(received) if a.status != ApplicationStatus.PENDING],
        "api_keys": identity.list_api_keys(ctx, Scope.SUPPLIER, supplier.id),
    }


@router.get("/suppliers/{supplier_id}")
def supplier_page(supplier_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return current.render("supplier.html", **_supplier_view(ctx, supplier))


@router.post("/suppliers/{supplier_id}/applications/{application_id}/{decision}")
def decide(supplier_id: str, application_id: str, decision: str, reason: Text = "",
           current: Page = Depends(form_page)) -> object:
    """Approve (binds at once) or reject, with an optional reason."""
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        if decision not in DECISIONS:
            return current.redirect(_url(supplier_id, "inbox"))
        act = applications.approve if decision == "approve" else applications.reject
        with current.attempt(ctx, form="inbox") as outcome:
            answered = act(ctx, supplier, application_id, reason.strip() or None)
        if outcome.ok:
            text = (current.gettext("You are now bound to %(name)s.", name=answered.shop_name)
                    if decision == "approve" else
                    current.gettext("Application from %(name)s rejected.",
                                    name=answered.shop_name))
            current.flash("success", text)
    return current.redirect(_url(supplier_id, "inbox"))


@router.post("/suppliers/{supplier_id}/bindings/{shop_id}/unbind")
def unbind(supplier_id: str, shop_id: str, reason: Text = "",
           current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        shop = bindings.counterpart_shop(ctx, supplier, shop_id)
        with current.attempt(ctx, form="bindings") as outcome:
            bindings.end(ctx, shop, supplier, ended_by="supplier",
                         reason=reason.strip() or None)
        if outcome.ok:
            current.flash("success", current.gettext("Unbound from %(name)s.", name=shop.name))
    return current.redirect(_url(supplier_id, "bindings"))


@router.get("/suppliers/{supplier_id}/bindings/{shop_id}")
def binding_timeline(supplier_id: str, shop_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        shop = bindings.counterpart_shop(ctx, supplier, shop_id)
        return current.render(
            "timeline.html", shop=shop, supplier=supplier,
            back=_url(supplier_id, "bindings"),
            active=bindings.active_binding(ctx, shop, supplier),
            events=bindings.timeline(ctx, shop, supplier))


@router.post("/suppliers/{supplier_id}/api-keys")
def create_key(supplier_id: str, name: Text = "",
               current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return keys.create(current, ctx, Scope.SUPPLIER, supplier.id, name,
                           back=_url(supplier_id))


@router.post("/suppliers/{supplier_id}/api-keys/{key_id}/revoke")
def revoke_key(supplier_id: str, key_id: int, current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        keys.revoke(current, ctx, Scope.SUPPLIER, supplier.id, key_id)
    return current.redirect(_url(supplier_id, "api-keys"))
