"""The invitation landing page `/invite/{token}`: which shop invites, and accepting it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form

from daifa.bindings import invitations
from daifa.bindings import service as bindings
from daifa.bindings.errors import InvitationNotFound
from daifa.bindings.states import InvitationStatus
from daifa.context import Ctx
from daifa.errors import DaifaError
from daifa.shops.models import Shop
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier
from daifa.web.messages import explain
from daifa.web.page import Page, form_page, page

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


@router.get("/invite/{token}")
def landing(token: str, current: Page = Depends(page)) -> object:
    """Anyone with the link sees it; a signed-in person picks which supplier accepts."""
    with current.ctx(signed_in=False) as ctx:
        try:
            invitation, shop = invitations.by_token(ctx, token)
        except InvitationNotFound as exc:
            return current.render("invite.html", status_code=404, token=token, shop=None,
                                  problem=explain(exc, current.gettext))
        status = invitations.effective_status(ctx, invitation)
        candidates = _candidates(ctx, shop) if current.signed_in else []
        return current.render("invite.html", token=token, shop=shop, invitation=invitation,
                              status=status, usable=status is InvitationStatus.ACTIVE,
                              candidates=candidates, problem=None)


def _candidates(ctx: Ctx, shop: Shop) -> list[tuple[Supplier, str | None]]:
    """The person's suppliers, each with the code of what keeps it from accepting, if any."""
    found: list[tuple[Supplier, str | None]] = []
    for supplier in suppliers.mine(ctx):
        try:
            suppliers.require_active(supplier)
            bindings.ensure_unbound(ctx, shop, supplier)
        except DaifaError as exc:
            found.append((supplier, exc.code))
        else:
            found.append((supplier, None))
    return found


@router.post("/invite/{token}/accept")
def accept(token: str, supplier_id: Text = "", current: Page = Depends(form_page)) -> object:
    with current.ctx(write=True) as ctx, current.attempt(ctx, form="accept") as outcome:
        binding = invitations.accept(ctx, token, supplier_id)
        bound = bindings.to_out_by_id(ctx, binding.id)
    if not outcome.ok:
        return current.redirect(f"/invite/{token}")
    return current.redirect(f"/invite/{token}/done?supplier_id={bound.supplier_id}")


@router.get("/invite/{token}/done")
def done(token: str, supplier_id: str = "", current: Page = Depends(page)) -> object:
    """The success page: this person's supplier and the inviting shop are now bound."""
    with current.ctx() as ctx:
        _invitation, shop = invitations.by_token(ctx, token)
        supplier = suppliers.owned(ctx, supplier_id)
        binding = bindings.active_binding(ctx, shop, supplier)
        if binding is None:
            return current.redirect(f"/invite/{token}")
        return current.render("invite_done.html", shop=shop, supplier=supplier,
                              binding=binding)

