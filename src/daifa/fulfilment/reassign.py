"""Reassign a dispatch order nobody has accepted yet to another bound supplier.

The old dispatch order ends `cancelled` (reason `reassigned`) through the transition table's
conditional UPDATE, so a concurrent accept wins or loses cleanly: the loser gets 409. Its stock
reservations are released and the new supplier's taken; the shop order's units stay assigned.
"""

from __future__ import annotations

from daifa.audit import service as audit
from daifa.catalog import service as catalog
from daifa.catalog.partners import BoundSuppliers
from daifa.context import Ctx
from daifa.dispatch import access, creation
from daifa.dispatch import service as dispatch
from daifa.dispatch.errors import SameSupplier
from daifa.dispatch.events import DispatchOrderMoved
from daifa.dispatch.schemas import DispatchOrderOut
from daifa.dispatch.states import DISPATCH_TRANSITIONS, REASSIGNED_REASON, DispatchStatus
from daifa.fulfilment.assign import checked_choice
from daifa.orders.errors import OutOfStock
from daifa.orders.models import ShopOrder
from daifa.routing import snapshot
from daifa.shipping import views
from daifa.shops.models import Shop


def reassign(ctx: Ctx, shop: Shop, no: str, supplier_ref: str,
             reason: str | None = None) -> DispatchOrderOut:
    old = dispatch.owned_by_shop(ctx, shop, no)
    supplier = BoundSuppliers(ctx, shop).get(supplier_ref)
    if supplier.id == old.supplier_pk:
        raise SameSupplier(dispatch_order_no=old.dispatch_order_no,
                           supplier_id=supplier.supplier_id)
    lines = dispatch.lines_of(ctx, [old.id])[old.id]
    compiled = snapshot.build(ctx, shop.id, {line.sku_code for line in lines},
                              also_suppliers={supplier.id, old.supplier_pk})
    decisions = [checked_choice(compiled.snap, line.sku_code, supplier.id, line.line_pk,
                                compiled.supplier_ids) for line in lines]
    audit.fire(ctx, DISPATCH_TRANSITIONS, old, "reassign",
               subject=("dispatch_order", old.dispatch_order_no),
               reason=reason or REASSIGNED_REASON, data={"to_supplier_id": supplier.supplier_id})
    for line in lines:
        if line.stock_reserved:
            catalog.release_stock(ctx, line.supply_sku_pk, line.quantity - line.shipped_quantity)
    for line, decision in sorted(zip(lines, decisions, strict=True),
                                 key=lambda pair: pair[1].source.supply_sku_pk
                                 if pair[1].source else 0):
        source = decision.source
        if source is not None and source.tracked and not catalog.reserve_stock(
                ctx, source.supply_sku_pk, line.quantity):
            raise OutOfStock(sku_code=source.supplier_sku_code, supplier_id=supplier.supplier_id,
                             line_id=line.line_pk)
    order = ctx.session.get_one(ShopOrder, old.order_pk)
    item = creation.NewDispatch(order_pk=order.id, order_id=str(order.id), shop_pk=shop.id,
                                supplier_pk=supplier.id,
                                sequence=creation.take_sequences(ctx, order, 1),
                                ship_by=old.ship_by,
                                reassigned_from_pk=old.id)
    item.lines = [creation.NewLine(line.line_pk, line.sku_code, line.quantity, decision,
                                   bool(decision.source and decision.source.tracked))
                  for line, decision in zip(lines, decisions, strict=True)]
    creation.create(ctx, [item], compiled.supplier_ids, event_reason=REASSIGNED_REASON)
    # Told once the new dispatch order has its number: only the shop learns where it went.
    ctx.publish(DispatchOrderMoved(
        access.of_order(ctx, old), "reassign", DispatchStatus.ASSIGNED.value,
        reason or REASSIGNED_REASON,
        shop_extra={"reassigned_to": {"dispatch_order_no": item.no,
                                      "supplier_id": supplier.supplier_id}}))
    return views.visible(ctx, item.no)
