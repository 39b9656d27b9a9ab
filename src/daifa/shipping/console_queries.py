"""Reads the console's fulfilment pages need beyond the lifecycle services: one tab of the
supplier's work queue (the same groups `workqueue.counts` counts), one of the supplier's dispatch
orders with its parcels, and the parcels of a shop order's dispatch orders.

Everything is scoped by the supplier or shop row given (resolved with `owned` by the caller), so
another tenant's number reads exactly like a missing one.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, Select, and_, select

from daifa.context import Ctx
from daifa.dispatch import service as dispatch
from daifa.dispatch.errors import DispatchOrderNotFound
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.schemas import DispatchOrderOut, Shipment
from daifa.dispatch.states import (
    HOLDABLE_STATUSES,
    OPEN_STATUSES,
    SHIPPABLE_STATUSES,
    DispatchStatus,
)
from daifa.kit.pagination import Page
from daifa.kit.states import values
from daifa.orders.models import ShopOrder
from daifa.shipping import parcels
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

_S = DispatchStatus


class Tab(StrEnum):
    """The work queue's groups, as `workqueue.Counts` names them."""

    TO_ACCEPT = "to_accept"
    TO_SHIP = "to_ship"
    LATE = "late"
    ON_HOLD = "on_hold"
    CANCEL_REQUESTED = "cancel_requested"


def _where(tab: Tab) -> ColumnElement[bool]:
    d = DispatchOrder
    if tab is Tab.TO_ACCEPT:
        return d.status == _S.ASSIGNED.value
    if tab is Tab.TO_SHIP:
        return and_(d.status.in_(values(SHIPPABLE_STATUSES)), d.hold_reason.is_(None))
    if tab is Tab.LATE:
        return and_(d.late.is_(True), d.status.in_(values(OPEN_STATUSES)))
    if tab is Tab.ON_HOLD:
        return and_(d.hold_reason.is_not(None),
                    d.status.in_(values(HOLDABLE_STATUSES)))
    return d.status == _S.CANCEL_REQUESTED.value


def _joined() -> Select[DispatchOrder, Shop, ShopOrder]:
    return (select(DispatchOrder, Shop, ShopOrder)
            .join(Shop, Shop.id == DispatchOrder.shop_pk)
            .join(ShopOrder, ShopOrder.id == DispatchOrder.order_pk))


def work_page(ctx: Ctx, supplier: Supplier, tab: Tab, after: int | None,
              limit: int) -> Page[DispatchOrderOut]:
    """One tab of the work queue, oldest first (the most urgent on top); recipient masked."""
    query = _joined().where(DispatchOrder.supplier_pk == supplier.id, _where(tab))
    if after is not None:
        query = query.where(DispatchOrder.id > after)
    rows = ctx.session.execute(query.order_by(DispatchOrder.id).limit(limit)).all()
    pks = [order.id for order, _, _ in rows]
    lines = dispatch.lines_of(ctx, pks)
    sent = parcels.of(ctx.session, pks)
    return Page.of([(order.id, dispatch.to_out(
        order, lines[order.id], dispatch.facts(shop, shop_order), supplier.supplier_id,
        for_shop=False, shipments=sent[order.id])) for order, shop, shop_order in rows], limit)


def for_supplier(ctx: Ctx, supplier: Supplier, no: str) -> tuple[DispatchOrderOut, Shop]:
    """One of the supplier's dispatch orders with its parcels, as its supplier sees it (masked
    recipient, no routing, no sale prices), and its shop; 404 for any other number."""
    row = ctx.session.execute(_joined().where(
        DispatchOrder.dispatch_order_no == no.strip().upper(),
        DispatchOrder.supplier_pk == supplier.id)).first()
    if row is None:
        raise DispatchOrderNotFound()
    order, shop, shop_order = row
    numbers: dict[int, str] = {}
    if order.reassigned_from_pk is not None:
        numbers = dict(ctx.session.execute(
            select(DispatchOrder.id, DispatchOrder.dispatch_order_no)
            .where(DispatchOrder.id == order.reassigned_from_pk)).all())
    out = dispatch.to_out(order, dispatch.lines_of(ctx, [order.id])[order.id],
                          dispatch.facts(shop, shop_order), supplier.supplier_id, for_shop=False,
                          numbers=numbers, shipments=parcels.of(ctx.session, [order.id])[order.id])
    return out, shop


def numbers_of_supplier(ctx: Ctx, supplier: Supplier, numbers: list[str]) -> list[str]:
    """Those of `numbers` that are the supplier's dispatch orders (normalised, in order)."""
    wanted = list(dict.fromkeys(no.strip().upper() for no in numbers if no.strip()))
    if not wanted:
        return []
    mine = set(ctx.session.scalars(select(DispatchOrder.dispatch_order_no).where(
        DispatchOrder.dispatch_order_no.in_(wanted), DispatchOrder.supplier_pk == supplier.id)))
    return [no for no in wanted if no in mine]


def parcels_of_order(ctx: Ctx, shop: Shop, order_id: str) -> dict[str, list[Shipment]]:
    """Dispatch order number → its parcels, for one of the shop's orders (empty for others)."""
    if not order_id.isdigit():
        return {}
    rows = ctx.session.execute(select(DispatchOrder.id, DispatchOrder.dispatch_order_no).where(
        DispatchOrder.order_pk == int(order_id), DispatchOrder.shop_pk == shop.id)).all()
    found = parcels.of(ctx.session, [pk for pk, _ in rows])
    return {no: found[pk] for pk, no in rows}
