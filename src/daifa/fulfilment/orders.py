"""The shop order as its shop sees it: lines with every assignment and reason, its dispatch
orders with their parcels, and the timeline; one by one, by page, or from the rows just written.

A read model over orders, dispatch and shipping, so it sits above them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Row, Select, Table, bindparam, exists, select

from daifa.context import Ctx
from daifa.dispatch import service as dispatch
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.schemas import Shipment
from daifa.dispatch.states import RELEASED_STATUSES
from daifa.fulfilment import timeline
from daifa.fulfilment.ingest import Echo
from daifa.fulfilment.schemas import OrderOut
from daifa.kit import ids
from daifa.kit.pagination import Page
from daifa.orders.models import OrderLine, ShopOrder
from daifa.orders.schemas import (
    AddressOut,
    Assignment,
    BuyerOut,
    OrderLineOut,
    UnassignedLine,
)
from daifa.orders.service import owned
from daifa.orders.states import WAITING_STATUSES, OrderStatus
from daifa.shipping import parcels
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

_ORDERS = cast(Table, ShopOrder.__table__)
_LINES = cast(Table, OrderLine.__table__)
_DO = cast(Table, DispatchOrder.__table__)
# Built once: building a statement costs more than running it.
_ORDERS_BY_PK = select(_ORDERS).where(_ORDERS.c.id.in_(bindparam("pks", expanding=True)))
_LINES_OF = (select(_LINES).where(_LINES.c.order_pk.in_(bindparam("pks", expanding=True)))
             .order_by(_LINES.c.order_pk, _LINES.c.line_no))
_DISPATCH_OF = (select(_DO, Supplier.supplier_id).join(Supplier, Supplier.id == _DO.c.supplier_pk)
                .where(_DO.c.order_pk.in_(bindparam("pks", expanding=True)))
                .order_by(_DO.c.id))


def get(ctx: Ctx, shop: Shop, order_id: str) -> OrderOut:
    """One order with its dispatch orders, every line's reason and the timeline."""
    order = owned(ctx, shop, order_id)
    out = outs(ctx, shop, [order.id])[0]
    out.timeline = timeline.of_order(ctx, shop, order.id)
    return out


@dataclass(frozen=True)
class Filters:
    status: OrderStatus | None = None
    supplier_id: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    unassigned: bool | None = None


def page(ctx: Ctx, shop: Shop, filters: Filters, before: int | None,
         limit: int) -> Page[OrderOut]:
    """Newest first; the cursor continues below the last order shown."""
    query = _filtered(ctx, select(_ORDERS).where(_ORDERS.c.shop_pk == shop.id), filters)
    if query is None:
        return Page([], None)
    if before is not None:
        query = query.where(ShopOrder.id < before)
    orders = ctx.session.execute(query.order_by(ShopOrder.id.desc()).limit(limit)).all()
    return Page.of(list(zip([o.id for o in orders], _assemble(ctx, shop, orders),
                            strict=True)), limit)


def _filtered(ctx: Ctx, query: Select[Any], filters: Filters) -> Select[Any] | None:
    if filters.status is not None:
        query = query.where(ShopOrder.status == filters.status.value)
    if filters.unassigned is True:
        query = query.where(ShopOrder.status.in_([s.value for s in WAITING_STATUSES]))
    elif filters.unassigned is False:
        query = query.where(ShopOrder.status.not_in([s.value for s in WAITING_STATUSES]))
    if filters.created_from is not None:
        query = query.where(ShopOrder.created_at >= filters.created_from)
    if filters.created_to is not None:
        query = query.where(ShopOrder.created_at < filters.created_to)
    if filters.supplier_id:
        supplier_pk = ctx.session.scalar(select(Supplier.id).where(
            Supplier.supplier_id == ids.normalise(filters.supplier_id)))
        if supplier_pk is None:
            return None
        query = query.where(exists().where(DispatchOrder.order_pk == ShopOrder.id,
                                           DispatchOrder.supplier_pk == supplier_pk))
    return query


def outs(ctx: Ctx, shop: Shop, pks: Sequence[int]) -> list[OrderOut]:
    """The API shape of the shop's orders with these row ids, in that order."""
    if not pks:
        return []
    rows = {row.id: row for row in ctx.session.execute(_ORDERS_BY_PK, {"pks": list(pks)})}
    return _assemble(ctx, shop, [rows[pk] for pk in pks if rows[pk].shop_pk == shop.id])


def echo_out(shop: Shop, echo: Echo) -> OrderOut:
    """A new order's API shape from the rows just written (no reading back)."""
    def row(values: dict[str, Any]) -> Any:
        return SimpleNamespace(**values)

    lines = {d.pk: [row(values) for values in d.line_rows] for d in echo.dispatches}
    return _out(shop, row(echo.order), [row(values) for values in echo.lines],
                [row(d.row) for d in echo.dispatches], lines)


def _assemble(ctx: Ctx, shop: Shop, orders: Sequence[Row[Any]]) -> list[OrderOut]:
    """Orders (rows) into the API shape with four further queries, whatever their number."""
    pks = [order.id for order in orders]
    if not pks:
        return []
    lines: dict[int, list[Row[Any]]] = {pk: [] for pk in pks}
    for line in ctx.session.execute(_LINES_OF, {"pks": pks}):
        lines[line.order_pk].append(line)
    dispatched: dict[int, list[Row[Any]]] = {pk: [] for pk in pks}
    for row in ctx.session.execute(_DISPATCH_OF, {"pks": pks}):
        dispatched[row.order_pk].append(row)
    dispatch_pks = [d.id for rows in dispatched.values() for d in rows]
    dispatch_lines = dispatch.lines_of(ctx, dispatch_pks)
    sent = parcels.of(ctx.session, dispatch_pks)
    return [_out(shop, order, lines[order.id], dispatched[order.id], dispatch_lines, sent)
            for order in orders]


def _out(shop: Shop, order: Row[Any], lines: list[Row[Any]], dispatched: list[Row[Any]],
         dispatch_lines: dict[int, list[Row[Any]]],
         sent: dict[int, list[Shipment]] | None = None) -> OrderOut:
    facts = dispatch.facts(shop, order)
    numbers = {d.id: d.dispatch_order_no for d in dispatched}
    assignments: dict[int, list[Assignment]] = {line.id: [] for line in lines}
    for d in dispatched:
        if d.status in RELEASED_STATUSES:
            continue
        for dl in dispatch_lines[d.id]:
            assignments[dl.line_pk].append(Assignment(
                dispatch_order_no=d.dispatch_order_no, supplier_id=d.supplier_id,
                quantity=dl.quantity, reason=dl.reason, routing=dl.routing))
    return OrderOut(
        order_id=str(order.id), shop_id=shop.shop_id, external_id=order.external_id,
        status=order.status,
        buyer=BuyerOut(name=order.buyer_name, phone=order.buyer_phone,
                       address=AddressOut(province=order.province, city=order.city,
                                          district=order.district,
                                          detail=order.address_detail)),
        paid_at=order.paid_at, ship_by=order.ship_by, created_at=order.created_at,
        total_fen=order.total_fen, routing_version=order.routing_version,
        cancelled_quantity=order.cancelled_quantity,
        erased_at=getattr(order, "erased_at", None),  # a new order (echo) has none
        lines=[OrderLineOut(line_id=line.id, sku_code=line.sku_code, quantity=line.quantity,
                            unit_price_fen=line.unit_price_fen,
                            assigned_quantity=line.assigned_quantity,
                            cancelled_quantity=line.cancelled_quantity,
                            assignments=assignments[line.id],
                            unassigned_reason=line.unassigned_reason, routing=line.routing)
               for line in lines],
        dispatch_orders=[dispatch.to_out(d, dispatch_lines[d.id], facts, d.supplier_id,
                                         for_shop=True, numbers=numbers,
                                         shipments=(sent or {}).get(d.id, ()))
                         for d in dispatched],
        unassigned_lines=[UnassignedLine(line_id=line.id, sku_code=line.sku_code,
                                         quantity=_waiting(line),
                                         reason=line.unassigned_reason or "RELEASED",
                                         routing=line.routing)
                          for line in lines if _waiting(line) > 0],
    )


def _waiting(line: Any) -> int:
    return int(line.quantity - line.assigned_quantity - line.cancelled_quantity)
