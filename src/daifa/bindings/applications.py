"""Use cases on binding applications: a shop applies by Supplier ID, the supplier answers."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from daifa.audit import service as audit
from daifa.bindings import service as bindings
from daifa.bindings.errors import (
    ApplicationExpired,
    ApplicationNotFound,
    ApplicationPending,
    TooManyPendingApplications,
)
from daifa.bindings.models import BindingApplication
from daifa.bindings.schemas import ApplicationIn, ApplicationOut
from daifa.bindings.states import APPLICATION_TRANSITIONS, ApplicationStatus, CreatedVia
from daifa.context import Ctx
from daifa.kit.pagination import Page
from daifa.shops.models import Shop
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier

SUBJECT = "binding_application"


def apply(ctx: Ctx, shop: Shop, data: ApplicationIn) -> ApplicationOut:
    supplier = suppliers.resolve_reference(ctx, data.supplier_id)
    suppliers.require_active(supplier)
    bindings.ensure_unbound(ctx, shop, supplier)
    _queue_behind_other_applications(ctx, shop)
    expire_due(ctx, shop=shop)
    _refuse_second_pending(ctx, shop, supplier)
    application = BindingApplication(
        public_id=uuid.uuid4(), shop_pk=shop.id, supplier_pk=supplier.id,
        status=ApplicationStatus.PENDING, message=data.message.strip(),
        expires_at=ctx.now() + timedelta(days=ctx.settings.application_ttl_days),
        created_at=ctx.now(),
    )
    try:
        with ctx.session.begin_nested():
            ctx.session.add(application)
    except IntegrityError as exc:
        raise ApplicationPending() from exc
    audit.record(ctx, SUBJECT, application.id, "binding_application.created",
                 to_status=ApplicationStatus.PENDING, reason=application.message or None,
                 data={"shop_id": shop.shop_id, "supplier_id": supplier.supplier_id})
    return to_out(application, shop, supplier)


def _queue_behind_other_applications(ctx: Ctx, shop: Shop) -> None:
    """Take the shop's row lock on PostgreSQL so two applications arriving together cannot
    both pass the pending limit; SQLite writers are already one at a time (BEGIN IMMEDIATE)."""
    ctx.session.execute(select(Shop.id).where(Shop.id == shop.id).with_for_update())


def close_pending_for_pair(ctx: Ctx, shop: Shop, supplier: Supplier, reason: str) -> None:
    """A pair bound another way needs no answer to its open application any more."""
    pending = ctx.session.scalars(
        select(BindingApplication).where(BindingApplication.shop_pk == shop.id,
                                         BindingApplication.supplier_pk == supplier.id,
                                         BindingApplication.status == ApplicationStatus.PENDING)
    ).all()
    for application in pending:
        audit.fire(ctx, APPLICATION_TRANSITIONS, application, "cancel",
                   subject=(SUBJECT, application.id), reason=reason, decided_at=ctx.now(),
                   decision_reason=reason)


def _refuse_second_pending(ctx: Ctx, shop: Shop, supplier: Supplier) -> None:
    pending = ctx.session.execute(
        select(BindingApplication.supplier_pk)
        .where(BindingApplication.shop_pk == shop.id,
               BindingApplication.status == ApplicationStatus.PENDING)
    ).scalars().all()
    if supplier.id in pending:
        raise ApplicationPending(supplier_id=supplier.supplier_id)
    limit = ctx.settings.max_pending_applications
    if len(pending) >= limit:
        raise TooManyPendingApplications(pending=len(pending), limit=limit)


def _query() -> Select[BindingApplication, Shop, Supplier]:
    return (
        select(BindingApplication, Shop, Supplier)
        .join(Shop, Shop.id == BindingApplication.shop_pk)
        .join(Supplier, Supplier.id == BindingApplication.supplier_pk)
    )


def _parse_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise ApplicationNotFound() from exc


def _load(ctx: Ctx, application_id: str, *, shop: Shop | None = None,
          supplier: Supplier | None = None) -> tuple[BindingApplication, Shop, Supplier]:
    query = _query().where(BindingApplication.public_id == _parse_id(application_id))
    if shop is not None:
        query = query.where(BindingApplication.shop_pk == shop.id)
    if supplier is not None:
        query = query.where(BindingApplication.supplier_pk == supplier.id)
    row = ctx.session.execute(query).first()
    if row is None:
        raise ApplicationNotFound()
    application, owner_shop, owner_supplier = row
    return application, owner_shop, owner_supplier


def _expire_if_due(ctx: Ctx, application: BindingApplication) -> None:
    """Refuse an answer to an expired application, recording the expiry if nobody had yet."""
    if (application.status == ApplicationStatus.PENDING
            and application.expires_at <= ctx.now()):
        audit.fire(ctx, APPLICATION_TRANSITIONS, application, "expire",
                   subject=(SUBJECT, application.id), reason="no answer in time",
                   decided_at=ctx.now())
        raise ApplicationExpired()
    if application.status == ApplicationStatus.EXPIRED:
        raise ApplicationExpired()  # the same answer whether the sweep or this call saw it first


def approve(ctx: Ctx, supplier: Supplier, application_id: str,
            reason: str | None = None) -> ApplicationOut:
    application, shop, _ = _load(ctx, application_id, supplier=supplier)
    _expire_if_due(ctx, application)
    suppliers.require_active(supplier)
    audit.fire(ctx, APPLICATION_TRANSITIONS, application, "approve",
               subject=(SUBJECT, application.id), reason=reason, decided_at=ctx.now(),
               decision_reason=reason)
    bindings.bind(ctx, shop, supplier, CreatedVia.APPLICATION, application_id=application.id)
    return to_out(application, shop, supplier)


def reject(ctx: Ctx, supplier: Supplier, application_id: str,
           reason: str | None = None) -> ApplicationOut:
    application, shop, _ = _load(ctx, application_id, supplier=supplier)
    _expire_if_due(ctx, application)
    audit.fire(ctx, APPLICATION_TRANSITIONS, application, "reject",
               subject=(SUBJECT, application.id), reason=reason, decided_at=ctx.now(),
               decision_reason=reason)
    return to_out(application, shop, supplier)


def cancel(ctx: Ctx, shop: Shop, application_id: str,
           reason: str | None = None) -> ApplicationOut:
    application, _, supplier = _load(ctx, application_id, shop=shop)
    _expire_if_due(ctx, application)
    audit.fire(ctx, APPLICATION_TRANSITIONS, application, "cancel",
               subject=(SUBJECT, application.id), reason=reason, decided_at=ctx.now(),
               decision_reason=reason)
    return to_out(application, shop, supplier)


def expire_due(ctx: Ctx, shop: Shop | None = None) -> int:
    """Mark pending applications past their deadline as expired; returns how many."""
    query = select(BindingApplication).where(
        BindingApplication.status == ApplicationStatus.PENDING,
        BindingApplication.expires_at <= ctx.now())
    if shop is not None:
        query = query.where(BindingApplication.shop_pk == shop.id)
    due = ctx.session.scalars(query).all()
    for application in due:
        audit.fire(ctx, APPLICATION_TRANSITIONS, application, "expire",
                   subject=(SUBJECT, application.id), reason="no answer in time",
                   decided_at=ctx.now())
    return len(due)


def _page(ctx: Ctx, query: Select[BindingApplication, Shop, Supplier],
          status: ApplicationStatus | None, after: int | None,
          limit: int) -> Page[ApplicationOut]:
    if status is not None:
        query = query.where(_has_status(status, ctx.now()))
    if after is not None:
        query = query.where(BindingApplication.id > after)
    rows = ctx.session.execute(query.order_by(BindingApplication.id).limit(limit))
    return Page.of([(a.id, to_out(a, shop, sup, now=ctx.now())) for a, shop, sup in rows],
                   limit)


def _has_status(status: ApplicationStatus, now: datetime) -> ColumnElement[bool]:
    """Status as people see it: pending past its deadline is expired, swept or not."""
    overdue = and_(BindingApplication.status == ApplicationStatus.PENDING,
                   BindingApplication.expires_at <= now)
    if status is ApplicationStatus.PENDING:
        return and_(BindingApplication.status == status, BindingApplication.expires_at > now)
    if status is ApplicationStatus.EXPIRED:
        return or_(BindingApplication.status == status, overdue)
    return BindingApplication.status == status


def incoming(ctx: Ctx, supplier: Supplier, status: ApplicationStatus | None = None,
             after: int | None = None, limit: int = 50) -> Page[ApplicationOut]:
    query = _query().where(BindingApplication.supplier_pk == supplier.id)
    return _page(ctx, query, status, after, limit)


def outgoing(ctx: Ctx, shop: Shop, status: ApplicationStatus | None = None,
             after: int | None = None, limit: int = 50) -> Page[ApplicationOut]:
    return _page(ctx, _query().where(BindingApplication.shop_pk == shop.id), status, after, limit)


def pending_count(ctx: Ctx, supplier: Supplier) -> int:
    return ctx.session.scalar(
        select(func.count()).select_from(BindingApplication)
        .where(BindingApplication.supplier_pk == supplier.id,
               _has_status(ApplicationStatus.PENDING, ctx.now()))
    ) or 0


def effective_status(application: BindingApplication, now: datetime) -> str:
    """The stored status, or `expired` when the deadline passed before the sweep saw it."""
    if application.status == ApplicationStatus.PENDING and application.expires_at <= now:
        return ApplicationStatus.EXPIRED
    return application.status


def to_out(application: BindingApplication, shop: Shop, supplier: Supplier, *,
           now: datetime | None = None) -> ApplicationOut:
    status = application.status if now is None else effective_status(application, now)
    return ApplicationOut(
        id=application.public_id, shop_id=shop.shop_id, shop_name=shop.name,
        supplier_id=supplier.supplier_id, supplier_name=supplier.name,
        status=status, message=application.message,
        expires_at=application.expires_at, created_at=application.created_at,
        decided_at=application.decided_at, decision_reason=application.decision_reason,
    )


