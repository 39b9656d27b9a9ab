from __future__ import annotations

from fastapi import Depends, Response

from daifa.api.deps import Call, public_reader, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.v1.common import CursorQuery, LimitQuery, paging
from daifa.audit.schemas import Timeline
from daifa.bindings import applications, invitations
from daifa.bindings import service as bindings
from daifa.bindings.schemas import (
    AcceptIn,
    ApplicationIn,
    ApplicationList,
    ApplicationOut,
    BindingList,
    BindingOut,
    DecisionIn,
    InvitationCreated,
    InvitationIn,
    InvitationList,
    InvitationOut,
    InvitationPublic,
    UnbindIn,
)
from daifa.bindings.states import ApplicationStatus, BindingStatus
from daifa.shops import service as shops
from daifa.suppliers import service as suppliers

router = guarded_router(tags=["binding"])


# --- invitations -------------------------------------------------------------------------

@router.post("/shops/{shop_id}/invitations", status_code=201, response_model=InvitationCreated)
def create_invitation(shop_id: str, body: InvitationIn | None = None,
                      call: Call = Depends(writer)) -> InvitationCreated:
    """A link and QR code a supplier can accept; expiring, use-limited, revocable."""
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        return invitations.create(ctx, shop, body or InvitationIn())


@router.get("/shops/{shop_id}/invitations", response_model=InvitationList)
def list_invitations(shop_id: str, call: Call = Depends(reader)) -> InvitationList:
    with call.ctx() as ctx:
        return InvitationList(items=invitations.for_shop(ctx, shops.owned(ctx, shop_id)))


@router.delete("/shops/{shop_id}/invitations/{token}", response_model=InvitationOut)
def revoke_invitation(shop_id: str, token: str, call: Call = Depends(writer)) -> InvitationOut:
    with call.ctx() as ctx:
        return invitations.revoke_by_token(ctx, shops.owned(ctx, shop_id), token)


@router.get("/invitations/{token}", response_model=InvitationPublic)
def view_invitation(token: str, call: Call = Depends(public_reader)) -> InvitationPublic:
    """What anyone holding the link sees: which shop invites, and whether it still works."""
    with call.ctx(anonymous=True) as ctx:
        invitation, shop = invitations.by_token(ctx, token)
        return InvitationPublic(shop_id=shop.shop_id, shop_name=shop.name,
                                status=invitations.effective_status(ctx, invitation),
                                expires_at=invitation.expires_at)


@router.get("/invitations/{token}/qr.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}})
def invitation_qr_svg(token: str, call: Call = Depends(public_reader)) -> Response:
    with call.ctx(anonymous=True) as ctx:
        return Response(invitations.qr_code(ctx, token, "svg"), media_type="image/svg+xml")


@router.get("/invitations/{token}/qr.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}})
def invitation_qr_png(token: str, call: Call = Depends(public_reader)) -> Response:
    with call.ctx(anonymous=True) as ctx:
        return Response(invitations.qr_code(ctx, token, "png"), media_type="image/png")


@router.post("/invitations/{token}/accept", response_model=BindingOut)
def accept_invitation(token: str, body: AcceptIn, call: Call = Depends(writer)) -> BindingOut:
    with call.ctx() as ctx:
        binding = invitations.accept(ctx, token, body.supplier_id)
        return bindings.to_out_by_id(ctx, binding.id)


# --- applications ------------------------------------------------------------------------

@router.post("/shops/{shop_id}/binding-applications", status_code=201,
             response_model=ApplicationOut)
def apply(shop_id: str, body: ApplicationIn, call: Call = Depends(writer)) -> ApplicationOut:
    with call.ctx() as ctx:
        return applications.apply(ctx, shops.owned(ctx, shop_id), body)


@router.get("/shops/{shop_id}/binding-applications", response_model=ApplicationList)
def outgoing(shop_id: str, status: ApplicationStatus | None = None,
             cursor: str | None = CursorQuery, limit: int | None = LimitQuery,
             call: Call = Depends(reader)) -> ApplicationList:
    after, size = paging(cursor, limit)
    with call.ctx() as ctx:
        page = applications.outgoing(ctx, shops.owned(ctx, shop_id), status, after, size)
        return ApplicationList(items=page.items, next_cursor=page.next_cursor())


@router.post("/shops/{shop_id}/binding-applications/{application_id}/cancel",
             response_model=ApplicationOut)
def cancel(shop_id: str, application_id: str, body: DecisionIn | None = None,
           call: Call = Depends(writer)) -> ApplicationOut:
    with call.ctx() as ctx:
        reason = body.reason if body else None
        return applications.cancel(ctx, shops.owned(ctx, shop_id), application_id, reason)


@router.get("/suppliers/{supplier_id}/binding-applications", response_model=ApplicationList)
def incoming(supplier_id: str, status: ApplicationStatus | None = None,
             cursor: str | None = CursorQuery, limit: int | None = LimitQuery,
             call: Call = Depends(reader)) -> ApplicationList:
    after, size = paging(cursor, limit)
    with call.ctx() as ctx:
        page = applications.incoming(ctx, suppliers.owned(ctx, supplier_id), status, after, size)
        return ApplicationList(items=page.items, next_cursor=page.next_cursor())


@router.post("/suppliers/{supplier_id}/binding-applications/{application_id}/approve",
             response_model=ApplicationOut)
def approve(supplier_id: str, application_id: str, body: DecisionIn | None = None,
            call: Call = Depends(writer)) -> ApplicationOut:
    with call.ctx() as ctx:
        reason = body.reason if body else None
        return applications.approve(ctx, suppliers.owned(ctx, supplier_id), application_id,
                                    reason)


@router.post("/suppliers/{supplier_id}/binding-applications/{application_id}/reject",
             response_model=ApplicationOut)
def reject(supplier_id: str, application_id: str, body: DecisionIn | None = None,
           call: Call = Depends(writer)) -> ApplicationOut:
    with call.ctx() as ctx:
        reason = body.reason if body else None
        return applications.reject(ctx, suppliers.owned(ctx, supplier_id), application_id,
                                   reason)


# --- bindings ----------------------------------------------------------------------------

@router.get("/shops/{shop_id}/bindings", response_model=BindingList)
def shop_bindings(shop_id: str, status: BindingStatus | None = None,
                  cursor: str | None = CursorQuery, limit: int | None = LimitQuery,
                  call: Call = Depends(reader)) -> BindingList:
    after, size = paging(cursor, limit)
    with call.ctx() as ctx:
        page = bindings.for_shop(ctx, shops.owned(ctx, shop_id), status, after, size)
        return BindingList(items=page.items, next_cursor=page.next_cursor())


@router.get("/suppliers/{supplier_id}/bindings", response_model=BindingList)
def supplier_bindings(supplier_id: str, status: BindingStatus | None = None,
                      cursor: str | None = CursorQuery, limit: int | None = LimitQuery,
                      call: Call = Depends(reader)) -> BindingList:
    after, size = paging(cursor, limit)
    with call.ctx() as ctx:
        page = bindings.for_supplier(ctx, suppliers.owned(ctx, supplier_id), status, after, size)
        return BindingList(items=page.items, next_cursor=page.next_cursor())


@router.delete("/shops/{shop_id}/bindings/{supplier_id}", response_model=BindingOut)
def shop_unbind(shop_id: str, supplier_id: str, body: UnbindIn | None = None,
                call: Call = Depends(writer)) -> BindingOut:
    """Unbind; the binding stays in the history as `ended`."""
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        supplier = bindings.counterpart_supplier(ctx, shop, supplier_id)
        binding = bindings.end(ctx, shop, supplier, ended_by="shop",
                               reason=body.reason if body else None)
        return bindings.to_out(binding, shop, supplier)


@router.delete("/suppliers/{supplier_id}/bindings/{shop_id}", response_model=BindingOut)
def supplier_unbind(supplier_id: str, shop_id: str, body: UnbindIn | None = None,
                    call: Call = Depends(writer)) -> BindingOut:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        shop = bindings.counterpart_shop(ctx, supplier, shop_id)
        binding = bindings.end(ctx, shop, supplier, ended_by="supplier",
                               reason=body.reason if body else None)
        return bindings.to_out(binding, shop, supplier)


@router.get("/shops/{shop_id}/bindings/{supplier_id}/timeline", response_model=Timeline)
def shop_binding_timeline(shop_id: str, supplier_id: str,
                          call: Call = Depends(reader)) -> Timeline:
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        supplier = bindings.counterpart_supplier(ctx, shop, supplier_id)
        return Timeline(items=bindings.timeline(ctx, shop, supplier))


@router.get("/suppliers/{supplier_id}/bindings/{shop_id}/timeline", response_model=Timeline)
def supplier_binding_timeline(supplier_id: str, shop_id: str,
                              call: Call = Depends(reader)) -> Timeline:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        shop = bindings.counterpart_shop(ctx, supplier, shop_id)
        return Timeline(items=bindings.timeline(ctx, shop, supplier))
