"""Use cases on invitations: create (link + QR), look up by token, accept, revoke, expire."""

from __future__ import annotations

import io
from datetime import timedelta

import segno
from sqlalchemy import select, update

from daifa.audit import service as audit
from daifa.bindings import applications
from daifa.bindings import service as bindings
from daifa.bindings.errors import (
    InvitationExpired,
    InvitationNotFound,
    InvitationRevoked,
    InvitationUsedUp,
)
from daifa.bindings.models import Binding, Invitation
from daifa.bindings.schemas import InvitationCreated, InvitationIn, InvitationOut
from daifa.bindings.states import INVITATION_TRANSITIONS, CreatedVia, InvitationStatus
from daifa.context import Ctx
from daifa.kit.ids import new_token, token_digest
from daifa.shops.models import Shop
from daifa.suppliers import service as suppliers

TOKEN_BYTES = 24  # 192 random bits


def invitation_url(ctx: Ctx, token: str) -> str:
    return f"{ctx.settings.base_url.rstrip('/')}/invite/{token}"


def create(ctx: Ctx, shop: Shop, data: InvitationIn) -> InvitationCreated:
    """A new link; without a lifetime of its own it lives `invitation_default_hours`."""
    token = new_token("", TOKEN_BYTES)
    hours = (data.expires_in_hours if "expires_in_hours" in data.model_fields_set
             else ctx.settings.invitation_default_hours)
    invitation = Invitation(
        shop_pk=shop.id, token_digest=token_digest(token), hint=token[:6],
        status=InvitationStatus.ACTIVE, max_uses=data.max_uses, uses=0,
        expires_at=ctx.now() + timedelta(hours=hours),
        created_by=audit.actor_label(ctx), created_at=ctx.now(),
    )
    ctx.session.add(invitation)
    ctx.session.flush()
    audit.record(ctx, "invitation", invitation.id, "invitation.created",
                 to_status=InvitationStatus.ACTIVE,
                 data={"shop_id": shop.shop_id, "max_uses": data.max_uses,
                       "expires_at": invitation.expires_at.isoformat()})
    base = ctx.settings.base_url.rstrip("/")
    return InvitationCreated(
        **to_out(invitation, shop).model_dump(), token=token, url=invitation_url(ctx, token),
        qr_svg_url=f"{base}/api/v1/invitations/{token}/qr.svg",
        qr_png_url=f"{base}/api/v1/invitations/{token}/qr.png",
    )


def to_out(invitation: Invitation, shop: Shop) -> InvitationOut:
    return InvitationOut(id=invitation.id, shop_id=shop.shop_id, status=invitation.status,
                         hint=invitation.hint, uses=invitation.uses,
                         max_uses=invitation.max_uses, expires_at=invitation.expires_at,
                         created_at=invitation.created_at)


def for_shop(ctx: Ctx, shop: Shop) -> list[InvitationOut]:
    """Newest first, each with its effective status (expired as soon as its deadline passed)."""
    rows = ctx.session.scalars(
        select(Invitation).where(Invitation.shop_pk == shop.id).order_by(Invitation.id.desc())
    )
    return [to_out(row, shop).model_copy(update={"status": effective_status(ctx, row)})
            for row in rows]


def by_token(ctx: Ctx, token: str) -> tuple[Invitation, Shop]:
    row = ctx.session.execute(
        select(Invitation, Shop).join(Shop, Shop.id == Invitation.shop_pk)
        .where(Invitation.token_digest == token_digest(token))
    ).first()
    if row is None:
        raise InvitationNotFound()
    return row[0], row[1]


def effective_status(ctx: Ctx, invitation: Invitation) -> InvitationStatus:
    """The stored status, or `expired` when the deadline passed before the sweep saw it."""
    status = InvitationStatus(invitation.status)
    if status is InvitationStatus.ACTIVE and invitation.expires_at <= ctx.now():
        return InvitationStatus.EXPIRED
    return status


def qr_code(ctx: Ctx, token: str, kind: str) -> bytes:
    by_token(ctx, token)  # only real invitations get a code
    code = segno.make(invitation_url(ctx, token), error="m")
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=6, border=2, title="daifa invitation")
    else:
        code.save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def accept(ctx: Ctx, token: str, supplier_ref: str) -> Binding:
    """Bind the shop to a supplier the actor speaks for, spending one use of the link.

    The use is taken by `UPDATE ... WHERE uses < max_uses AND status = 'active'`, so of two
    suppliers racing for a single-use link exactly one is bound.
    """
    invitation, shop = by_token(ctx, token)
    supplier = suppliers.owned_reference(ctx, supplier_ref)
    suppliers.require_active(supplier)
    _refuse_unusable(ctx, invitation)
    bindings.ensure_unbound(ctx, shop, supplier)
    _spend_use(ctx, invitation)
    binding = bindings.bind(ctx, shop, supplier, CreatedVia.INVITATION,
                            invitation_id=invitation.id)
    applications.close_pending_for_pair(ctx, shop, supplier, "bound by invitation")
    audit.record(ctx, "invitation", invitation.id, "invitation.accepted",
                 data={"supplier_id": supplier.supplier_id, "uses": invitation.uses})
    if invitation.uses >= invitation.max_uses:
        audit.fire(ctx, INVITATION_TRANSITIONS, invitation, "use_up",
                   subject=("invitation", invitation.id),
                   data={"supplier_id": supplier.supplier_id})
    return binding


def _refuse_unusable(ctx: Ctx, invitation: Invitation) -> None:
    status = effective_status(ctx, invitation)
    if status is InvitationStatus.EXPIRED:
        raise InvitationExpired()
    if status is InvitationStatus.REVOKED:
        raise InvitationRevoked()
    if status is InvitationStatus.USED_UP:
        raise InvitationUsedUp()


def _spend_use(ctx: Ctx, invitation: Invitation) -> None:
    result = ctx.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == InvitationStatus.ACTIVE,
               Invitation.uses < Invitation.max_uses, Invitation.expires_at > ctx.now())
        .values(uses=Invitation.uses + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        ctx.session.refresh(invitation)
        _refuse_unusable(ctx, invitation)
        raise InvitationUsedUp()  # the last use went to someone else a moment ago
    ctx.session.refresh(invitation, ["uses"])


def revoke(ctx: Ctx, shop: Shop, invitation: Invitation) -> InvitationOut:
    if invitation.shop_pk != shop.id:
        raise InvitationNotFound()
    if effective_status(ctx, invitation) is InvitationStatus.EXPIRED:
        raise InvitationExpired()  # nothing left to revoke
    audit.fire(ctx, INVITATION_TRANSITIONS, invitation, "revoke",
               subject=("invitation", invitation.id))
    return to_out(invitation, shop)


def revoke_by_token(ctx: Ctx, shop: Shop, token: str) -> InvitationOut:
    invitation, owner = by_token(ctx, token)
    if owner.id != shop.id:
        raise InvitationNotFound()
    return revoke(ctx, shop, invitation)


def revoke_by_id(ctx: Ctx, shop: Shop, invitation_id: int) -> InvitationOut:
    invitation = ctx.session.get(Invitation, invitation_id)
    if invitation is None:
        raise InvitationNotFound()
    return revoke(ctx, shop, invitation)


def expire_due(ctx: Ctx) -> int:
    """Mark active invitations past their deadline as expired; returns how many."""
    due = ctx.session.scalars(
        select(Invitation).where(Invitation.status == InvitationStatus.ACTIVE,
                                 Invitation.expires_at <= ctx.now())
    ).all()
    for invitation in due:
        audit.fire(ctx, INVITATION_TRANSITIONS, invitation, "expire",
                   subject=("invitation", invitation.id), reason="link expired")
    return len(due)


def is_usable(ctx: Ctx, invitation: Invitation) -> bool:
    return effective_status(ctx, invitation) is InvitationStatus.ACTIVE
