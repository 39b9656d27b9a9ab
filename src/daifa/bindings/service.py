"""Use cases on bindings themselves: make one, end one, list them, tell their story."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from daifa.audit import service as audit
from daifa.audit.schemas import TimelineEntry
from daifa.bindings.errors import AlreadyBound, BindingNotFound
from daifa.bindings.events import BindingEnding
from daifa.bindings.models import Binding
from daifa.bindings.schemas import BindingOut
from daifa.bindings.states import BINDING_TRANSITIONS, BindingStatus, CreatedVia
from daifa.context import Ctx
from daifa.kit import ids
from daifa.kit.pagination import Page
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier


def active_binding(ctx: Ctx, shop: Shop, supplier: Supplier) -> Binding | None:
    return ctx.session.scalar(
        select(Binding).where(Binding.shop_pk == shop.id, Binding.supplier_pk == supplier.id,
                              Binding.status == BindingStatus.ACTIVE)
    )


def ensure_unbound(ctx: Ctx, shop: Shop, supplier: Supplier) -> None:
    if active_binding(ctx, shop, supplier) is not None:
        raise AlreadyBound(shop_id=shop.shop_id, supplier_id=supplier.supplier_id)


def bind(ctx: Ctx, shop: Shop, supplier: Supplier, via: CreatedVia, *,
         invitation_id: int | None = None, application_id: int | None = None) -> Binding:
    """Create the active binding; the partial unique index makes a racing duplicate fail."""
    ensure_unbound(ctx, shop, supplier)
    binding = Binding(shop_pk=shop.id, supplier_pk=supplier.id, status=BindingStatus.ACTIVE,
                      created_via=via, invitation_id=invitation_id,
                      application_id=application_id, created_at=ctx.now())
    try:
        with ctx.session.begin_nested():
            ctx.session.add(binding)
    except IntegrityError as exc:
        raise AlreadyBound(shop_id=shop.shop_id, supplier_id=supplier.supplier_id) from exc
    audit.record(ctx, "binding", binding.id, "binding.created", to_status=BindingStatus.ACTIVE,
                 data={"shop_id": shop.shop_id, "supplier_id": supplier.supplier_id,
                       "created_via": via.value})
    return binding


def end(ctx: Ctx, shop: Shop, supplier: Supplier, *, ended_by: str,
        reason: str | None) -> Binding:
    """Unbind. History stays: the row becomes `ended`, a new binding may follow later."""
    binding = active_binding(ctx, shop, supplier)
    if binding is None:
        raise BindingNotFound()
    ctx.publish(BindingEnding(shop.id, supplier.id))
    audit.fire(ctx, BINDING_TRANSITIONS, binding, "end", subject=("binding", binding.id),
               reason=reason, data={"ended_by": ended_by},
               ended_at=ctx.now(), ended_by=ended_by, end_reason=reason)
    return binding


def _listing() -> Select[Binding, Shop, Supplier]:
    return (
        select(Binding, Shop, Supplier)
        .join(Shop, Shop.id == Binding.shop_pk)
        .join(Supplier, Supplier.id == Binding.supplier_pk)
    )


def _page(ctx: Ctx, query: Select[Binding, Shop, Supplier], status: BindingStatus | None,
          after: int | None, limit: int) -> Page[BindingOut]:
    if status is not None:
        query = query.where(Binding.status == status)
    if after is not None:
        query = query.where(Binding.id > after)
    rows = ctx.session.execute(query.order_by(Binding.id).limit(limit))
    return Page.of([(b.id, to_out(b, shop, supplier)) for b, shop, supplier in rows], limit)


def for_shop(ctx: Ctx, shop: Shop, status: BindingStatus | None = None,
             after: int | None = None, limit: int = 50) -> Page[BindingOut]:
    return _page(ctx, _listing().where(Binding.shop_pk == shop.id), status, after, limit)


def for_supplier(ctx: Ctx, supplier: Supplier, status: BindingStatus | None = None,
                 after: int | None = None, limit: int = 50) -> Page[BindingOut]:
    return _page(ctx, _listing().where(Binding.supplier_pk == supplier.id), status, after, limit)


def to_out(binding: Binding, shop: Shop, supplier: Supplier) -> BindingOut:
    return BindingOut(
        shop_id=shop.shop_id, shop_name=shop.name, supplier_id=supplier.supplier_id,
        supplier_name=supplier.name, supplier_status=supplier.status, status=binding.status,
        created_via=binding.created_via, created_at=binding.created_at,
        ended_at=binding.ended_at, ended_by=binding.ended_by, end_reason=binding.end_reason,
    )


def timeline(ctx: Ctx, shop: Shop, supplier: Supplier) -> list[TimelineEntry]:
    """Every event of every binding between the pair, and of what created each one."""
    bindings = ctx.session.scalars(
        select(Binding).where(Binding.shop_pk == shop.id, Binding.supplier_pk == supplier.id)
    ).all()
    if not bindings:
        raise BindingNotFound()  # never bound at all
    subjects: list[tuple[str, object]] = [("binding", b.id) for b in bindings]
    subjects += [("invitation", b.invitation_id) for b in bindings if b.invitation_id]
    subjects += [("binding_application", b.application_id) for b in bindings
                 if b.application_id]
    return [entry for entry in audit.timeline(ctx, subjects) if _of_pair(entry, supplier)]


def _of_pair(entry: TimelineEntry, supplier: Supplier) -> bool:
    """An invitation may bind several suppliers: each sees only its own use of it."""
    return entry.subject != "invitation" or entry.data.get("supplier_id") in (
        None, supplier.supplier_id)


def counterpart_supplier(ctx: Ctx, shop: Shop, supplier_id: str) -> Supplier:
    """A supplier this shop has ever been bound to; any other ID is 404 alike."""
    supplier = ctx.session.scalar(
        select(Supplier).join(Binding, Binding.supplier_pk == Supplier.id)
        .where(Binding.shop_pk == shop.id, Supplier.supplier_id == ids.normalise(supplier_id))
        .limit(1)
    )
    if supplier is None:
        raise BindingNotFound()
    return supplier


def counterpart_shop(ctx: Ctx, supplier: Supplier, shop_id: str) -> Shop:
    """A shop this supplier has ever been bound to; any other ID is 404 alike."""
    shop = ctx.session.scalar(
        select(Shop).join(Binding, Binding.shop_pk == Shop.id)
        .where(Binding.supplier_pk == supplier.id, Shop.shop_id == ids.normalise(shop_id))
        .limit(1)
    )
    if shop is None:
        raise BindingNotFound()
    return shop


def to_out_by_id(ctx: Ctx, binding_id: int) -> BindingOut:
    binding, shop, supplier = ctx.session.execute(_listing().where(Binding.id == binding_id)).one()
    return to_out(binding, shop, supplier)
