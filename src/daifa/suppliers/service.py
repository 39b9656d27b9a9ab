"""Use cases: onboard a supplier, look one up, and the platform's review."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from daifa.audit import service as audit
from daifa.context import Ctx, Scope
from daifa.errors import Forbidden
from daifa.kit import ids
from daifa.suppliers import rules
from daifa.suppliers.errors import SupplierIsSuspended, SupplierNotActive, SupplierNotFound
from daifa.suppliers.events import SupplierSuspended
from daifa.suppliers.models import Supplier
from daifa.suppliers.schemas import SupplierIn, SupplierOut, SupplierPublic
from daifa.suppliers.states import SUPPLIER_TRANSITIONS, SupplierStatus


def onboard(ctx: Ctx, data: SupplierIn) -> Supplier:
    if ctx.actor.scope is not Scope.PERSON or ctx.actor.account_id is None:
        raise Forbidden()  # an API key cannot onboard a supplier: a person signs in
    supplier = Supplier(
        supplier_id=_unused_supplier_id(ctx),
        owner_account_id=ctx.actor.account_id,
        name=data.name.strip(),
        contact_name=data.contact_name.strip(),
        contact_phone=rules.normalise_phone(data.contact_phone),
        region=data.region.strip(),
        status=SupplierStatus.PENDING,
        created_at=ctx.now(),
    )
    ctx.session.add(supplier)
    ctx.session.flush()
    audit.record(ctx, "supplier", supplier.supplier_id, "supplier.onboarded",
                 to_status=SupplierStatus.PENDING)
    return supplier


def _unused_supplier_id(ctx: Ctx) -> str:
    while True:
        candidate = ids.new_supplier_id()
        taken = ctx.session.scalar(select(Supplier.id).where(Supplier.supplier_id == candidate))
        if taken is None:
            return candidate


def by_public_id(ctx: Ctx, supplier_id: str) -> Supplier:
    """Any supplier by its ID as typed in a path; unknown and malformed alike are 404."""
    if not ids.is_valid_supplier_id(supplier_id):
        raise SupplierNotFound()
    supplier = ctx.session.scalar(
        select(Supplier).where(Supplier.supplier_id == ids.normalise(supplier_id))
    )
    if supplier is None:
        raise SupplierNotFound()
    return supplier


def owned(ctx: Ctx, supplier_id: str) -> Supplier:
    """A supplier the actor speaks for; another tenant's is 404 exactly like a missing one."""
    supplier = by_public_id(ctx, supplier_id)
    if not ctx.actor.may_act_for(Scope.SUPPLIER, supplier.id, supplier.owner_account_id):
        raise SupplierNotFound()
    return supplier


def resolve_reference(ctx: Ctx, raw: str) -> Supplier:
    """A Supplier ID typed where one belongs (a body field): 422 for typos, 404 for unknown."""
    supplier = ctx.session.scalar(
        select(Supplier).where(Supplier.supplier_id == rules.parse_supplier_ref(raw))
    )
    if supplier is None:
        raise SupplierNotFound(supplier_id=ids.normalise(raw))
    return supplier


def owned_reference(ctx: Ctx, raw: str) -> Supplier:
    """A Supplier ID typed in a body that must be one the actor speaks for."""
    supplier = resolve_reference(ctx, raw)
    if not ctx.actor.may_act_for(Scope.SUPPLIER, supplier.id, supplier.owner_account_id):
        raise SupplierNotFound(supplier_id=supplier.supplier_id)
    return supplier


def require_active(supplier: Supplier) -> None:
    if supplier.status != SupplierStatus.ACTIVE:
        raise SupplierNotActive(supplier_id=supplier.supplier_id,
                                supplier_status=supplier.status)


def require_may_take_work(supplier: Supplier) -> None:
    """Accepting a dispatch order is new work: refused once the platform suspended it."""
    if supplier.status == SupplierStatus.SUSPENDED:
        raise SupplierIsSuspended(supplier_id=supplier.supplier_id)
    require_active(supplier)


def mine(ctx: Ctx) -> Sequence[Supplier]:
    if ctx.actor.scope is Scope.SUPPLIER and ctx.actor.org_id is not None:
        return ctx.session.scalars(select(Supplier).where(Supplier.id == ctx.actor.org_id)).all()
    if ctx.actor.scope is not Scope.PERSON:
        return []
    return ctx.session.scalars(
        select(Supplier).where(Supplier.owner_account_id == ctx.actor.account_id)
        .order_by(Supplier.id)
    ).all()


def sees_private(ctx: Ctx, supplier: Supplier) -> bool:
    return ctx.actor.is_admin or ctx.actor.may_act_for(
        Scope.SUPPLIER, supplier.id, supplier.owner_account_id)


def to_public(supplier: Supplier) -> SupplierPublic:
    return SupplierPublic(supplier_id=supplier.supplier_id, name=supplier.name,
                          region=supplier.region, status=supplier.status)


def to_private(supplier: Supplier) -> SupplierOut:
    return SupplierOut(
        **to_public(supplier).model_dump(),
        contact_name=supplier.contact_name,
        contact_phone=supplier.contact_phone,
        auto_accept=supplier.auto_accept,
        review_note=supplier.review_note,
        created_at=supplier.created_at,
        reviewed_at=supplier.reviewed_at,
    )


def review(ctx: Ctx, supplier_id: str, action: str, reason: str | None = None) -> Supplier:
    """approve | reject | suspend | reinstate, by a platform admin, recorded with its reason.
    Suspending publishes `SupplierSuspended`: its dispatch orders nobody accepted yet go to
    their backups in the same transaction (the reactions)."""
    if not ctx.actor.is_admin:
        raise Forbidden()  # platform admins only
    supplier = by_public_id(ctx, supplier_id)
    audit.fire(ctx, SUPPLIER_TRANSITIONS, supplier, action,
               subject=("supplier", supplier.supplier_id), reason=reason,
               reviewed_at=ctx.now(), review_note=reason)
    if action == "suspend":
        ctx.publish(SupplierSuspended(supplier.id, supplier.supplier_id, reason))
    return supplier


def admin_list(ctx: Ctx, status: SupplierStatus | None, after: int | None,
               limit: int) -> Sequence[Supplier]:
    if not ctx.actor.is_admin:
        raise Forbidden()  # platform admins only
    query = select(Supplier).order_by(Supplier.id).limit(limit)
    if status is not None:
        query = query.where(Supplier.status == status)
    if after is not None:
        query = query.where(Supplier.id > after)
    return ctx.session.scalars(query).all()
