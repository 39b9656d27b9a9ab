"""Manual assignment: a person sends units of a line to a supplier, one order at a time or in
bulk from the unassigned queue, and reassigns a dispatch order nobody has accepted yet.

Decision: a manual assignment needs a source mapping, like routing does.
The mapping names the supplier's SKU and its supply price, which the dispatch order must carry;
without it the supplier would not know what to ship nor the shop what it owes. A missing one is
422 `NO_SOURCE`, and the shop adds the mapping first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update

from daifa.audit import service as audit
from daifa.catalog import service as catalog
from daifa.catalog.errors import SupplierNotBound
from daifa.catalog.partners import BoundSuppliers
from daifa.context import Ctx
from daifa.dispatch import creation
from daifa.dispatch.models import DispatchOrder
from daifa.errors import DaifaError
from daifa.fulfilment.rules import action_between, status_for
from daifa.orders import service as orders
from daifa.orders.errors import (
    LineNotFound,
    NoSource,
    OutOfStock,
    QuantityExceedsRemaining,
    UnknownSku,
)
from daifa.orders.models import OrderLine, ShopOrder
from daifa.orders.schemas import AssignmentIn, BulkAssignItem, BulkAssignmentIn, ItemError
from daifa.orders.states import ORDER_TRANSITIONS, OrderStatus
from daifa.routing import snapshot
from daifa.routing.rules import Decision, Skip, Snapshot, Unassigned, manual_choice
from daifa.shops.models import Shop


@dataclass
class _Wanted:
    line: OrderLine
    supplier_pk: int
    quantity: int
    decision: Decision | None = None


def assign(ctx: Ctx, shop: Shop, order_id: str,
           assignments: Sequence[AssignmentIn]) -> ShopOrder:
    """Send units of the order's lines to suppliers; returns the order as it now stands."""
    order = orders.owned(ctx, shop, order_id)
    lines = {line.id: line for line in ctx.session.scalars(
        select(OrderLine).where(OrderLine.order_pk == order.id))}
    bound = BoundSuppliers(ctx, shop)
    wanted: dict[tuple[int, int], _Wanted] = {}
    for item in assignments:
        line = lines.get(item.line_id)
        if line is None:
            raise LineNotFound(line_id=item.line_id)
        supplier = bound.get(item.supplier_id)
        entry = wanted.setdefault((line.id, supplier.id), _Wanted(line, supplier.id, 0))
        entry.quantity += item.quantity
    _check_remaining(list(wanted.values()))
    compiled = snapshot.build(ctx, shop.id, {w.line.sku_code for w in wanted.values()},
                              also_suppliers={w.supplier_pk for w in wanted.values()})
    for entry in wanted.values():
        entry.decision = _choice(compiled.snap, entry, compiled.supplier_ids)
    _reserve(ctx, list(wanted.values()))
    _take_units(ctx, order, list(wanted.values()))
    _create_dispatch(ctx, order, list(wanted.values()), compiled.supplier_ids)
    return order


def _check_remaining(wanted: list[_Wanted]) -> None:
    per_line: dict[int, int] = {}
    for entry in wanted:
        per_line[entry.line.id] = per_line.get(entry.line.id, 0) + entry.quantity
    for entry in wanted:
        line = entry.line
        left = line.quantity - line.assigned_quantity - line.cancelled_quantity
        if per_line[line.id] > left:
            raise QuantityExceedsRemaining(line_id=line.id, remaining=left,
                                           requested=per_line[line.id])


def _choice(snap: Snapshot, entry: _Wanted, supplier_ids: dict[int, str]) -> Decision:
    return checked_choice(snap, entry.line.sku_code, entry.supplier_pk, entry.line.id,
                          supplier_ids)


def checked_choice(snap: Snapshot, sku_code: str, supplier_pk: int, line_pk: int,
                   supplier_ids: dict[int, str]) -> Decision:
    """A person's choice of supplier for a line, or the error that says why it cannot be."""
    decision = manual_choice(snap, sku_code, supplier_pk)
    if decision.supplier_pk is not None:
        return decision
    public = supplier_ids.get(supplier_pk, "")
    if decision.reason == Unassigned.UNKNOWN_SKU:
        raise UnknownSku(sku_code=sku_code, line_id=line_pk)
    if decision.reason == Skip.NO_SOURCE:
        raise NoSource(supplier_id=public, sku_code=sku_code, line_id=line_pk)
    raise SupplierNotBound(supplier_id=public)


def _reserve(ctx: Ctx, wanted: list[_Wanted]) -> None:
    for entry in sorted(wanted, key=lambda w: _source_pk(w)):
        source = entry.decision.source if entry.decision else None
        if source is not None and source.tracked and not catalog.reserve_stock(
                ctx, source.supply_sku_pk, entry.quantity):
            raise OutOfStock(sku_code=source.supplier_sku_code, quantity=entry.quantity,
                             line_id=entry.line.id)


def _source_pk(entry: _Wanted) -> int:
    source = entry.decision.source if entry.decision else None
    return source.supply_sku_pk if source else 0


def _take_units(ctx: Ctx, order: ShopOrder, wanted: list[_Wanted]) -> None:
    """Count the units against the lines, each with a conditional UPDATE (a concurrent
    assignment of the same units loses with 409, never over-assigns)."""
    per_line: dict[int, int] = {}
    for entry in wanted:
        per_line[entry.line.id] = per_line.get(entry.line.id, 0) + entry.quantity
    for line_pk, quantity in sorted(per_line.items()):
        result = ctx.session.execute(
            update(OrderLine)
            .where(OrderLine.id == line_pk,
                   OrderLine.assigned_quantity + OrderLine.cancelled_quantity + quantity
                   <= OrderLine.quantity)
            .values(assigned_quantity=OrderLine.assigned_quantity + quantity)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise QuantityExceedsRemaining(line_id=line_pk)
    total = sum(per_line.values())
    ctx.session.execute(
        update(ShopOrder).where(ShopOrder.id == order.id)
        .values(assigned_quantity=ShopOrder.assigned_quantity + total)
        .execution_options(synchronize_session=False))
    ctx.session.refresh(order)
    for line in {entry.line.id: entry.line for entry in wanted}.values():
        ctx.session.refresh(line)


def _create_dispatch(ctx: Ctx, order: ShopOrder, wanted: list[_Wanted],
                     supplier_ids: dict[int, str]) -> None:
    groups: dict[int, list[_Wanted]] = {}
    for entry in wanted:
        groups.setdefault(entry.supplier_pk, []).append(entry)
    first = creation.take_sequences(ctx, order, len(groups))
    items = []
    for offset, (supplier_pk, entries) in enumerate(groups.items()):
        item = creation.NewDispatch(order_pk=order.id, order_id=str(order.id),
                                    shop_pk=order.shop_pk, supplier_pk=supplier_pk,
                                    sequence=first + offset, ship_by=order.ship_by)
        for entry in entries:
            assert entry.decision is not None and entry.decision.source is not None
            item.lines.append(creation.NewLine(entry.line.id, entry.line.sku_code,
                                               entry.quantity, entry.decision,
                                               entry.decision.source.tracked))
        items.append(item)
    creation.create(ctx, items, supplier_ids, event_reason="manual")
    _settle_status(ctx, order, data={"dispatch_orders": [item.no for item in items]})


def _settle_status(ctx: Ctx, order: ShopOrder, *, data: dict[str, object]) -> None:
    """Move the order's status to what its assigned units say, through the table."""
    current = OrderStatus(order.status)
    # Dispatch orders that already shipped keep the order partially shipped.
    statuses = ctx.session.scalars(select(DispatchOrder.status).where(
        DispatchOrder.order_pk == order.id)).all()
    target = status_for(order.quantity, order.assigned_quantity, statuses,
                        order.cancelled_quantity)
    action = action_between(current, target)
    if action is None:
        audit.record(ctx, "shop_order", order.id, "shop_order.assigned_more",
                     from_status=current, to_status=current, data=data)
        return
    audit.fire(ctx, ORDER_TRANSITIONS, order, action, subject=("shop_order", order.id),
               data=data)


def assign_bulk(ctx: Ctx, shop: Shop,
                assignments: Sequence[BulkAssignmentIn]) -> list[BulkAssignItem]:
    """Assignments from the unassigned queue, grouped by order; one bad order does not stop
    the others (each runs in a savepoint)."""
    grouped: dict[str, list[AssignmentIn]] = {}
    for item in assignments:
        grouped.setdefault(item.order_id, []).append(item)
    results = []
    for order_id, items in grouped.items():
        try:
            with ctx.session.begin_nested():
                order = assign(ctx, shop, order_id, items)
            numbers = list(ctx.session.scalars(
                select(DispatchOrder.dispatch_order_no).where(DispatchOrder.order_pk == order.id)
                .order_by(DispatchOrder.id)))
            results.append(BulkAssignItem(order_id=order_id, status=order.status,
                                          dispatch_order_nos=numbers))
        except DaifaError as exc:
            results.append(BulkAssignItem(order_id=order_id,
                                          error=ItemError(code=exc.code, detail=exc.detail)))
    return results
