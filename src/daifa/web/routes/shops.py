"""A merchant's shop: invitations, applications by Supplier ID, bindings, API keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form

from daifa.bindings import applications, invitations
from daifa.bindings import service as bindings
from daifa.bindings.schemas import ApplicationIn, InvitationIn
from daifa.bindings.states import INVITATION_TRANSITIONS, ApplicationStatus, BindingStatus
from daifa.context import Ctx, Scope
from daifa.errors import DaifaError
from daifa.identity import service as identity
from daifa.kit.pagination import MAX_LIMIT
from daifa.shops import service as shops
from daifa.shops.models import Shop
from daifa.shops.schemas import ShopIn
from daifa.suppliers import service as suppliers
from daifa.web.messages import explain
from daifa.web.page import Page, form_page, page
from daifa.web.routes import keys

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def _url(shop_id: str, anchor: str = "") -> str:
    return f"/shops/{shop_id}" + (f"#{anchor}" if anchor else "")


@router.get("/shops/new")
def new_shop_form(current: Page = Depends(page)) -> object:
    with current.ctx():
        return current.render("shop_new.html")


@router.post("/shops")
def open_shop(name: Text = "", current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx, \
            current.attempt(ctx, form="shop", values={"name": name}) as outcome:
        shop = shops.create(ctx, ShopIn(name=name))
        current.flash("success", current.gettext("Shop %(name)s is open. Its Shop ID is "
                                                 "%(id)s.", name=shop.name, id=shop.shop_id))
    if not outcome.ok:
        return current.redirect("/shops/new")
    return current.redirect(_url(shop.shop_id))


def _shop_view(ctx: Ctx, shop: Shop) -> dict[str, Any]:
    """Everything the shop page shows, loaded by the services in one unit of work."""
    bound = bindings.for_shop(ctx, shop, limit=MAX_LIMIT).items
    sent = applications.outgoing(ctx, shop, limit=MAX_LIMIT).items
    invited = invitations.for_shop(ctx, shop)
    return {
        "shop": shop,
        "active": [b for b in bound if b.status == BindingStatus.ACTIVE],
        "ended": [b for b in bound if b.status != BindingStatus.ACTIVE],
        "pending": [a for a in sent if a.status == ApplicationStatus.PENDING],
        "decided": [a for a in reversed(sent) if a.status != ApplicationStatus.PENDING],
        "invitations": invited,
        "invitation_actions": {i.id: INVITATION_TRANSITIONS.moves(i.status) for i in invited},
        "api_keys": identity.list_api_keys(ctx, Scope.SHOP, shop.id),
        "default_hours": ctx.settings.invitation_default_hours,
        "found": None,
        "problem": None,
    }


@router.get("/shops/{shop_id}")
def shop_page(shop_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        return current.render("shop.html", **_shop_view(ctx, shops.owned(ctx, shop_id)))


@router.get("/shops/{shop_id}/supplier-check")
def supplier_check(shop_id: str, supplier_id: str = "", current: Page = Depends(page)) -> object:
    """As the merchant types a Supplier ID: whose it is, or what is wrong with it (htmx)."""
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        found, problem = None, None
        if supplier_id.strip():
            try:
                supplier = suppliers.resolve_reference(ctx, supplier_id)
                found = suppliers.to_public(supplier)
                suppliers.require_active(supplier)
                bindings.ensure_unbound(ctx, shop, supplier)
            except DaifaError as exc:
                problem = explain(exc, current.gettext)
        return current.fragment("shop.html", "supplier_check", found=found, problem=problem)


@router.post("/shops/{shop_id}/invitations")
def create_invitation(shop_id: str, expires_in_hours: Text = "", max_uses: Text = "1",
                      current: Page = Depends(form_page)) -> object:
    typed = {"expires_in_hours": expires_in_hours, "max_uses": max_uses}
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="invitation", values=typed) as outcome:
            hours = expires_in_hours or str(ctx.settings.invitation_default_hours)
            data = InvitationIn.model_validate({"expires_in_hours": hours,
                                                "max_uses": max_uses or "1"})
            created = invitations.create(ctx, shop, data)
            qr_svg = invitations.qr_code(ctx, created.token, "svg").decode()
        if not outcome.ok:
            return current.redirect(_url(shop_id, "invite"))
        return current.render("invitation_created.html", shop=shop, invitation=created,
                              qr_svg=qr_svg)


@router.post("/shops/{shop_id}/invitations/{invitation_id}/revoke")
def revoke_invitation(shop_id: str, invitation_id: int,
                      current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="invitations") as outcome:
            revoked = invitations.revoke_by_id(ctx, shop, invitation_id)
        if outcome.ok:
            current.flash("success", current.gettext("Invitation %(hint)s… revoked.",
                                                     hint=revoked.hint))
    return current.redirect(_url(shop_id, "invitations"))


@router.post("/shops/{shop_id}/applications")
def apply(shop_id: str, supplier_id: Text = "", message: Text = "",
          current: Page = Depends(form_page)) -> object:
    typed = {"supplier_id": supplier_id, "message": message}
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="apply", values=typed) as outcome:
            sent = applications.apply(ctx, shop, ApplicationIn(supplier_id=supplier_id,
                                                               message=message))
            current.flash("success", current.gettext(
                "Application sent to %(name)s (%(id)s); it waits for the supplier's answer.",
                name=sent.supplier_name, id=sent.supplier_id))
    return current.redirect(_url(shop_id, "apply" if not outcome.ok else "applications"))


@router.post("/shops/{shop_id}/applications/{application_id}/cancel")
def cancel_application(shop_id: str, application_id: str, reason: Text = "",
                       current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        with current.attempt(ctx, form="applications") as outcome:
            applications.cancel(ctx, shop, application_id, reason.strip() or None)
        if outcome.ok:
            current.flash("success", current.gettext("Application cancelled."))
    return current.redirect(_url(shop_id, "applications"))


@router.post("/shops/{shop_id}/bindings/{supplier_id}/unbind")
def unbind(shop_id: str, supplier_id: str, reason: Text = "",
           current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        supplier = bindings.counterpart_supplier(ctx, shop, supplier_id)
        with current.attempt(ctx, form="bindings") as outcome:
            bindings.end(ctx, shop, supplier, ended_by="shop", reason=reason.strip() or None)
        if outcome.ok:
            current.flash("success", current.gettext("Unbound from %(name)s.",
                                                     name=supplier.name))
    return current.redirect(_url(shop_id, "bindings"))


@router.get("/shops/{shop_id}/bindings/{supplier_id}")
def binding_timeline(shop_id: str, supplier_id: str, current: Page = Depends(page)) -> object:
    with current.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        supplier = bindings.counterpart_supplier(ctx, shop, supplier_id)
        return current.render(
            "timeline.html", shop=shop, supplier=supplier, back=_url(shop_id, "bindings"),
            active=bindings.active_binding(ctx, shop, supplier),
            events=bindings.timeline(ctx, shop, supplier))


@router.post("/shops/{shop_id}/api-keys")
def create_key(shop_id: str, name: Text = "", current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        return keys.create(current, ctx, Scope.SHOP, shop.id, name, back=_url(shop_id))


@router.post("/shops/{shop_id}/api-keys/{key_id}/revoke")
def revoke_key(shop_id: str, key_id: int, current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx:
        shop = shops.owned(ctx, shop_id)
        keys.revoke(current, ctx, Scope.SHOP, shop.id, key_id)
    return current.redirect(_url(shop_id, "api-keys"))
