"""Where a dispatch order's units go when it ends without shipping.

Rejected, expired or withdrawn (the supplier was suspended): each line goes to the next backup its
routing stored (`backup_pks`) that is still active, bound, has a source for the SKU and the stock;
the lines taken by one backup become one new dispatch order (reason `backup`, with why each earlier
supplier was passed over). Lines with no backup left, and every line of a cancelled dispatch order,
go back to the shop order as waiting units, except the units the shop cancelled with it (its lines'
`cancel_quantity`, fulfilment/cancel.py): those are cancelled on the order's lines. Stock reserved
by the old dispatch order is released first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select, update

from daifa.audit import service as audit
from daifa.catalog import service as catalog
from daifa.context import Ctx
from daifa.dispatch import creation, lifecycle
from daifa.dispatch import service as dispatch
from daifa.dispatch.access import Target
from daifa.dispatch.events import CANCEL_ACTIONS, ENDED_UNSHIPPED, DispatchOrderMoved
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.rules import MAX_DISPATCH_ORDERS_PER_ORDER
from daifa.dispatch.states import DispatchPurpose, DispatchStatus, RejectReason
from daifa.errors import InvalidTransition
from daifa.orders.models import OrderLine, ShopOrder
from daifa.routing import snapshot
from daifa.routing.rules import Decision, Reason, Snapshot, manual_choice
from daifa.suppliers.events import SupplierSuspended

REJECTED = "REJECTED"  # order line's unassigned_reason: its supplier rejected, no backup left
CANCELLED = "CANCELLED"  # the shop cancelled the dispatch order
# The shop cancelled some units of the dispatch order; it was cancelled whole and these wait.
SPLIT_BY_CANCEL = "SPLIT_BY_CANCEL"


@dataclass
class Outcome:
    """What became of the units: new dispatch orders (number → Supplier ID) and lines back."""

    rerouted: dict[str, str] = field(default_factory=dict)
    returned_line_ids: list[int] = field(default_factory=list)

    def as_data(self) -> dict[str, Any]:
        return {"rerouted_to": [{"dispatch_order_no": no, "supplier_id": supplier_id}
                                for no, supplier_id in self.rerouted.items()],
                "returned_line_ids": self.returned_line_ids}


def after_end(ctx: Ctx, event: DispatchOrderMoved) -> None:
    """Rejected or expired: the lines to their backups; the shop alone is told where."""
    if event.action in ENDED_UNSHIPPED and _own_units(event):
        outcome = to_backups(ctx, event.target, event.reason or event.action)
        event.shop_extra = outcome.as_data()


def after_cancel(ctx: Ctx, event: DispatchOrderMoved) -> None:
    """Cancelled: its stock released, the units the shop cancelled with it cancelled, the
    others waiting on the shop order again."""
    if event.action in CANCEL_ACTIONS and _own_units(event):
        target = event.target
        lines = dispatch.lines_of(ctx, [target.order.id])[target.order.id]
        release_stock(ctx, lines)
        split = any(line.cancel_quantity for line in lines)
        give_back(ctx, target, lines, SPLIT_BY_CANCEL if split else CANCELLED, event.reason)


def after_suspension(ctx: Ctx, event: SupplierSuspended) -> None:
    """The supplier was suspended: every dispatch order it has not accepted is withdrawn, and
    goes to its backups like a rejection (else back to the shop's queue). What it accepted
    stays its to ship."""
    orders = ctx.session.scalars(
        select(DispatchOrder).where(DispatchOrder.supplier_pk == event.supplier_pk,
                                    DispatchOrder.status == DispatchStatus.ASSIGNED.value)
        .order_by(DispatchOrder.id)).all()
    for order in orders:
        try:
            lifecycle.withdraw(ctx, order, RejectReason.SUPPLIER_SUSPENDED.value)
        except InvalidTransition:
            continue  # accepted a moment ago (nothing was written): it stays the supplier's


def _own_units(event: DispatchOrderMoved) -> bool:
    """An after-sales replacement ends without giving anything back: its units left once."""
    return event.target.order.purpose == DispatchPurpose.ORDER


def release_stock(ctx: Ctx, lines: Sequence[Row[Any]]) -> None:
    for line in sorted(lines, key=lambda line: line.supply_sku_pk):
        left = line.quantity - line.shipped_quantity
        if line.stock_reserved and left > 0:
            catalog.release_stock(ctx, line.supply_sku_pk, left)


def to_backups(ctx: Ctx, target: Target, why: str) -> Outcome:
    """After a reject or expiry: lines to their next backups, the rest back to the order."""
    old = target.order
    lines = dispatch.lines_of(ctx, [old.id])[old.id]
    release_stock(ctx, lines)
    backups = {pk for line in lines for pk in line.backup_pks}
    compiled = snapshot.build(ctx, old.shop_pk, {line.sku_code for line in lines},
                              also_suppliers=backups)
    chosen: dict[int, list[tuple[Row[Any], Decision]]] = {}
    waiting: list[Row[Any]] = []
    for line in lines:
        decision = _next_backup(ctx, compiled.snap, line, old.supplier_pk, why)
        if decision is None:
            waiting.append(line)
        else:
            chosen.setdefault(decision.supplier_pk or 0, []).append((line, decision))
    order = ctx.session.get_one(ShopOrder, old.order_pk)
    if order.dispatch_count + len(chosen) > MAX_DISPATCH_ORDERS_PER_ORDER:
        for pairs in chosen.values():  # no number left for a new dispatch order
            waiting += [line for line, _ in pairs]
        chosen = {}
    outcome = Outcome()
    if chosen:
        outcome.rerouted = _create(ctx, order, old.id, old.ship_by, chosen,
                                   compiled.supplier_ids)
    give_back(ctx, target, waiting, REJECTED, why)
    outcome.returned_line_ids = [line.line_pk for line in waiting]
    # On the shop order's timeline: the rejecting supplier reads the dispatch order's own
    # timeline and must not learn which supplier took over.
    audit.record(ctx, "shop_order", old.order_pk, "shop_order.rerouted", reason=why,
                 data={"dispatch_order_no": old.dispatch_order_no, **outcome.as_data()})
    return outcome


def _next_backup(ctx: Ctx, snap: Snapshot, line: Row[Any], rejected_by: int,
                 why: str) -> Decision | None:
    """The first backup of the line that can take it now (its stock reserved), or None."""
    skipped: list[tuple[int, str]] = [(rejected_by, why)]
    chain = [pk for pk in line.backup_pks if pk != rejected_by]
    for index, supplier_pk in enumerate(chain):
        choice = manual_choice(snap, line.sku_code, supplier_pk)
        source = choice.source
        if choice.supplier_pk is None or source is None:
            skipped.append((supplier_pk, choice.reason))
            continue
        if source.tracked and not catalog.reserve_stock(ctx, source.supply_sku_pk,
                                                        line.quantity):
            skipped.append((supplier_pk, "out_of_stock"))
            continue
        basis = (line.routing or {}).get("basis") or line.reason
        return Decision(supplier_pk, Reason.BACKUP.value, basis, tuple(skipped),
                        tuple(chain[index + 1:]), source)
    return None


def _create(ctx: Ctx, order: ShopOrder, old_pk: int, ship_by: Any,
            chosen: dict[int, list[tuple[Row[Any], Decision]]],
            supplier_ids: dict[int, str]) -> dict[str, str]:
    first = creation.take_sequences(ctx, order, len(chosen))
    items = []
    for offset, (supplier_pk, pairs) in enumerate(sorted(chosen.items())):
        item = creation.NewDispatch(order_pk=order.id, order_id=str(order.id),
                                    shop_pk=order.shop_pk, supplier_pk=supplier_pk,
                                    sequence=first + offset, ship_by=ship_by,
                                    reassigned_from_pk=old_pk)
        item.lines = [creation.NewLine(line.line_pk, line.sku_code, line.quantity, decision,
                                       bool(decision.source and decision.source.tracked))
                      for line, decision in pairs]
        items.append(item)
    creation.create(ctx, items, supplier_ids, event_reason=Reason.BACKUP.value)
    return {item.no: supplier_ids.get(item.supplier_pk, "") for item in items}


def give_back(ctx: Ctx, target: Target, lines: Sequence[Row[Any]], code: str,
              why: str | None) -> None:
    """The lines' units leave the dispatch order, in line order: those the shop cancelled
    with it (`cancel_quantity`) are cancelled, the others wait on the shop order again
    (reason `code`)."""
    total = cancelled_total = 0
    for line in sorted(lines, key=lambda line: line.line_pk):
        units = line.quantity - line.shipped_quantity
        if units <= 0:
            continue
        cancelled = min(units, line.cancel_quantity or 0)
        total += units
        cancelled_total += cancelled
        values: dict[str, Any] = {
            "assigned_quantity": OrderLine.assigned_quantity - units,
            "cancelled_quantity": OrderLine.cancelled_quantity + cancelled}
        if units > cancelled:
            values.update(unassigned_reason=code,
                          routing={"reason": code, "supplier_id": target.supplier.supplier_id,
                                   "dispatch_order_no": target.no, "why": why})
        ctx.session.execute(update(OrderLine).where(OrderLine.id == line.line_pk)
                            .values(**values).execution_options(synchronize_session=False))
    if total:
        ctx.session.execute(
            update(ShopOrder).where(ShopOrder.id == target.order.order_pk)
            .values(assigned_quantity=ShopOrder.assigned_quantity - total,
                    cancelled_quantity=ShopOrder.cancelled_quantity + cancelled_total)
            .execution_options(synchronize_session=False))
        loaded = ctx.session.get(ShopOrder, target.order.order_pk)
        if loaded is not None:
            ctx.session.expire(loaded, ["assigned_quantity", "cancelled_quantity"])
