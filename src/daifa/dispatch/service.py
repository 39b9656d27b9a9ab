"""Dispatch orders read for their shop and their supplier, and the unbinding guard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, exists, select, update

from daifa.bindings.events import BindingEnding
from daifa.context import Ctx, Scope
from daifa.dispatch.errors import DispatchOrderNotFound, OpenDispatchOrders
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.dispatch.schemas import DispatchLineOut, DispatchOrderOut, Recipient, Shipment
from daifa.dispatch.states import SENT_STATUSES, UNBIND_BLOCKING, DispatchPurpose
from daifa.kit.states import values
from daifa.orders import rules as order_rules
from daifa.orders.models import ShopOrder
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

_DL = cast(Table, DispatchLine.__table__)
_LINES_OF = (select(_DL).where(_DL.c.dispatch_order_pk.in_(bindparam("pks", expanding=True)))
             .order_by(_DL.c.id))


def refuse_unbind_while_open(ctx: Ctx, event: BindingEnding) -> None:
    """Unbinding is refused while the supplier still has open dispatch orders from the shop."""
    blocked = ctx.session.scalar(select(exists().where(
        DispatchOrder.shop_pk == event.shop_pk, DispatchOrder.supplier_pk == event.supplier_pk,
        DispatchOrder.status.in_(values(UNBIND_BLOCKING)))))
    if blocked:
        raise OpenDispatchOrders()


@dataclass(frozen=True)
class OrderFacts:
    """What a dispatch order shows of its shop order."""

    order_id: str
    shop_id: str
    province: str
    city: str
    district: str
    buyer_name: str
    buyer_phone: str


def lines_of(ctx: Ctx, dispatch_pks: Sequence[int]) -> dict[int, list[Row[Any]]]:
    """The lines of these dispatch orders (rows with the dispatch_lines columns)."""
    found: dict[int, list[Row[Any]]] = {pk: [] for pk in dispatch_pks}
    if dispatch_pks:
        for line in ctx.session.execute(_LINES_OF, {"pks": list(dispatch_pks)}):
            found[line.dispatch_order_pk].append(line)
    return found


_LIFECYCLE_FIELDS = ("hold_reason", "held_by", "accepted_at", "shipped_at", "delivered_at",
                     "completed_at", "reject_reason", "cancel_reason", "cancel_requested_at",
                     "closed_at")


def to_out(order: Any, lines: Sequence[Any], facts: OrderFacts, supplier_id: str, *,
           for_shop: bool, numbers: Mapping[int, str] | None = None,
           shipments: Sequence[Shipment] = ()) -> DispatchOrderOut:
    """The API shape of a dispatch order (a row or entity with the dispatch_orders columns,
    and rows of its lines); `for_shop=False` (the supplier) drops the routing explanation."""
    return DispatchOrderOut(
        **{name: getattr(order, name, None) for name in _LIFECYCLE_FIELDS},
        late=bool(getattr(order, "late", False)), shipments=list(shipments),
        dispatch_order_no=order.dispatch_order_no, order_id=facts.order_id,
        shop_id=facts.shop_id, supplier_id=supplier_id, status=order.status,
        ship_by=order.ship_by, accept_by=order.accept_by, created_at=order.created_at,
        supply_total_fen=order.supply_total_fen,
        reassigned_from=(numbers or {}).get(order.reassigned_from_pk or 0),
        purpose=getattr(order, "purpose", None) or DispatchPurpose.ORDER.value,
        lines=[DispatchLineOut(line_id=line.line_pk, sku_code=line.sku_code,
                               supplier_sku_code=line.supplier_sku_code,
                               quantity=line.quantity, shipped_quantity=line.shipped_quantity,
                               cancel_quantity=getattr(line, "cancel_quantity", 0) or 0,
                               supply_price_fen=line.supply_price_fen, reason=line.reason,
                               routing=line.routing if for_shop else None)
               for line in lines],
        recipient=Recipient(region=order_rules.region(facts.province, facts.city,
                                                      facts.district),
                            name_masked=order_rules.masked_name(facts.buyer_name),
                            phone_masked=order_rules.masked_phone(facts.buyer_phone)),
    )


def located(ctx: Ctx, no: str) -> tuple[DispatchOrder, Shop, Supplier, ShopOrder] | None:
    row = ctx.session.execute(
        select(DispatchOrder, Shop, Supplier, ShopOrder)
        .join(Shop, Shop.id == DispatchOrder.shop_pk)
        .join(Supplier, Supplier.id == DispatchOrder.supplier_pk)
        .join(ShopOrder, ShopOrder.id == DispatchOrder.order_pk)
        .where(DispatchOrder.dispatch_order_no == no.strip().upper())
    ).first()
    if row is None:
        return None
    order, shop, supplier, shop_order = row
    return order, shop, supplier, shop_order


def viewer(ctx: Ctx, shop: Shop, supplier: Supplier) -> str | None:
    if ctx.actor.may_act_for(Scope.SHOP, shop.id, shop.owner_account_id):
        return "shop"
    if ctx.actor.may_act_for(Scope.SUPPLIER, supplier.id, supplier.owner_account_id):
        return "supplier"
    return "admin" if ctx.actor.is_admin else None


def owned_by_shop(ctx: Ctx, shop: Shop, no: str) -> DispatchOrder:
    order = ctx.session.scalar(select(DispatchOrder).where(
        DispatchOrder.dispatch_order_no == no.strip().upper(), DispatchOrder.shop_pk == shop.id))
    if order is None:
        raise DispatchOrderNotFound()
    return order


def facts(shop: Shop, order: Any) -> OrderFacts:
    """From a shop order (an entity, or a row with the shop_orders columns)."""
    return OrderFacts(str(order.id), shop.shop_id, order.province, order.city, order.district,
                      order.buyer_name, order.buyer_phone)


def still_unsent(ctx: Ctx, order: DispatchOrder) -> bool:
    """Whether nothing of the dispatch order has left, checked with a conditional UPDATE that
    changes nothing: a shipment racing the caller's change (a corrected recipient) either
    committed first (False) or waits for the caller's transaction and then ships what it says."""
    result = ctx.session.execute(
        update(DispatchOrder)
        .where(DispatchOrder.id == order.id, DispatchOrder.status.not_in(values(SENT_STATUSES)))
        .values(hold_reason=DispatchOrder.hold_reason)
        .execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
