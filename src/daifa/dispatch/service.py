"""Dispatch orders: create them in bulk from routing decisions, read them for shops and
suppliers, and the unbinding guard."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, exists, insert, select

from daifa.audit import service as audit
from daifa.audit.models import AuditEvent
from daifa.audit.schemas import TimelineEntry
from daifa.context import Ctx, Scope
from daifa.dispatch import autoaccept, parcels
from daifa.dispatch.errors import DispatchOrderNotFound, OpenDispatchOrders
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.dispatch.schemas import DispatchLineOut, DispatchOrderOut, Recipient, Shipment
from daifa.dispatch.states import DispatchStatus
from daifa.kit.pagination import Page
from daifa.orders import rules as order_rules
from daifa.orders.models import ShopOrder
from daifa.routing.rules import Decision, explain, unit_price
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

# Statuses that keep a supplier tied to a shop: everything short of the end of the road.
UNBIND_BLOCKING = frozenset(DispatchStatus) - {
    DispatchStatus.COMPLETED, DispatchStatus.CANCELLED, DispatchStatus.REJECTED,
    DispatchStatus.DELIVERED}
# A dispatch order in these no longer holds its units of the shop order's lines.
RELEASED = frozenset({DispatchStatus.CANCELLED, DispatchStatus.REJECTED})

_DO = cast(Table, DispatchOrder.__table__)
_DL = cast(Table, DispatchLine.__table__)
_EVENTS = cast(Table, AuditEvent.__table__)
# Multi-row INSERT … RETURNING gives no promise of order: rows are matched by number.
_INSERT_DO = _DO.insert().returning(_DO.c.dispatch_order_no, _DO.c.id)
_INSERT_DL = _DL.insert()
INSERT_EVENTS = insert(_EVENTS)
_LINES_OF = (select(_DL).where(_DL.c.dispatch_order_pk.in_(bindparam("pks", expanding=True)))
             .order_by(_DL.c.id))


@dataclass
class NewLine:
    line_pk: int
    sku_code: str
    quantity: int
    decision: Decision  # with a supplier and its source
    stock_reserved: bool


@dataclass
class NewDispatch:
    order_pk: int
    order_id: str
    shop_pk: int
    supplier_pk: int
    sequence: int
    ship_by: datetime
    lines: list[NewLine] = field(default_factory=list)
    reassigned_from_pk: int | None = None
    pk: int = 0
    no: str = ""
    row: dict[str, Any] = field(default_factory=dict)  # as inserted, with id and supplier_id
    line_rows: list[dict[str, Any]] = field(default_factory=list)  # as inserted


def create(ctx: Ctx, items: Sequence[NewDispatch], supplier_ids: Mapping[int, str], *,
           event_reason: str | None = None, events: list[dict[str, Any]] | None = None,
           known: autoaccept.Known | None = None) -> None:
    """Insert the dispatch orders, their lines and a `dispatch_order.created` event each.

    Three multi-row INSERTs whatever the number of orders (two when the caller collects the
    event rows in `events` to insert them with its own); fills in `pk` and `no`. `known`: the
    Shop IDs and auto-accepting suppliers when the caller read them already.
    """
    if not items:
        return
    now = ctx.now()
    accept_by = now + timedelta(hours=ctx.settings.accept_within_hours)
    for item in items:
        item.no = order_rules.dispatch_order_no(now, item.order_pk, item.sequence)
        item.row = {
            "dispatch_order_no": item.no, "order_pk": item.order_pk, "sequence": item.sequence,
            "shop_pk": item.shop_pk, "supplier_pk": item.supplier_pk,
            "status": DispatchStatus.ASSIGNED.value, "ship_by": item.ship_by,
            "accept_by": accept_by, "created_at": now,
            "supply_total_fen": sum(unit_price(line.decision.source, line.quantity)
                                    * line.quantity for line in item.lines
                                    if line.decision.source is not None),
            "reassigned_from_pk": item.reassigned_from_pk,
        }
    returned: dict[str, int] = dict(ctx.session.execute(
        _INSERT_DO, [item.row for item in items]).all())
    for item in items:
        item.pk = item.row["id"] = returned[item.no]
        item.row["supplier_id"] = supplier_ids.get(item.supplier_pk, "")
        item.line_rows = [_line_row(item.pk, line, supplier_ids) for line in item.lines]
    ctx.session.execute(_INSERT_DL, [row for item in items for row in item.line_rows])
    label, account = audit.actor_label(ctx), ctx.actor.account_id
    created = [
        {"at": now, "actor": label, "actor_account_id": account,
         "subject_type": "dispatch_order", "subject_id": item.no,
         "type": "dispatch_order.created", "from_status": None,
         "to_status": DispatchStatus.ASSIGNED.value, "reason": event_reason,
         "data": {"order_id": item.order_id, "supplier_id": supplier_ids.get(item.supplier_pk),
                  "lines": [{"line_id": line.line_pk, "quantity": line.quantity,
                             "reason": line.decision.reason} for line in item.lines]}}
        for item in items
    ]
    if events is None:
        ctx.session.execute(INSERT_EVENTS, created)
    else:
        events.extend(created)
    autoaccept.after_create(ctx, items, supplier_ids, events, known)


def _line_row(dispatch_pk: int, line: NewLine, supplier_ids: Mapping[int, str]) -> dict[str, Any]:
    decision = line.decision
    source = decision.source
    assert source is not None
    return {
        "dispatch_order_pk": dispatch_pk, "line_pk": line.line_pk,
        "supply_sku_pk": source.supply_sku_pk, "sku_code": line.sku_code,
        "supplier_sku_code": source.supplier_sku_code, "quantity": line.quantity,
        "supply_price_fen": unit_price(source, line.quantity), "reason": decision.reason,
        "routing": explain(decision, supplier_ids), "backup_pks": list(decision.backups),
        "stock_reserved": line.stock_reserved, "shipped_quantity": 0,
    }


def ensure_no_open(ctx: Ctx, shop_pk: int, supplier_pk: int) -> None:
    """Unbinding is refused while the supplier still has open dispatch orders from the shop."""
    blocked = ctx.session.scalar(select(exists().where(
        DispatchOrder.shop_pk == shop_pk, DispatchOrder.supplier_pk == supplier_pk,
        DispatchOrder.status.in_([s.value for s in UNBIND_BLOCKING]))))
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
        lines=[DispatchLineOut(line_id=line.line_pk, sku_code=line.sku_code,
                               supplier_sku_code=line.supplier_sku_code,
                               quantity=line.quantity, shipped_quantity=line.shipped_quantity,
                               supply_price_fen=line.supply_price_fen, reason=line.reason,
                               routing=line.routing if for_shop else None)
               for line in lines],
        recipient=Recipient(region=order_rules.region(facts.province, facts.city,
                                                      facts.district),
                            name_masked=order_rules.masked_name(facts.buyer_name),
                            phone_masked=order_rules.masked_phone(facts.buyer_phone)),
    )


def _located(ctx: Ctx, no: str) -> tuple[DispatchOrder, Shop, Supplier, ShopOrder] | None:
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


def _viewer(ctx: Ctx, shop: Shop, supplier: Supplier) -> str | None:
    if ctx.actor.may_act_for(Scope.SHOP, shop.id, shop.owner_account_id):
        return "shop"
    if ctx.actor.may_act_for(Scope.SUPPLIER, supplier.id, supplier.owner_account_id):
        return "supplier"
    return "admin" if ctx.actor.is_admin else None


def visible(ctx: Ctx, no: str) -> DispatchOrderOut:
    """The dispatch order for its shop or its supplier; 404 for anyone else."""
    found = _located(ctx, no)
    viewer = _viewer(ctx, found[1], found[2]) if found else None
    if found is None or viewer not in ("shop", "supplier"):
        raise DispatchOrderNotFound()
    order, shop, supplier, shop_order = found
    numbers = dict(ctx.session.execute(
        select(DispatchOrder.id, DispatchOrder.dispatch_order_no)
        .where(DispatchOrder.id == order.reassigned_from_pk)).all()) if \
        order.reassigned_from_pk else {}
    return to_out(order, lines_of(ctx, [order.id])[order.id], _facts(shop, shop_order),
                  supplier.supplier_id, for_shop=viewer == "shop", numbers=numbers,
                  shipments=parcels.of(ctx.session, [order.id])[order.id])


def owned_by_shop(ctx: Ctx, shop: Shop, no: str) -> DispatchOrder:
    order = ctx.session.scalar(select(DispatchOrder).where(
        DispatchOrder.dispatch_order_no == no.strip().upper(), DispatchOrder.shop_pk == shop.id))
    if order is None:
        raise DispatchOrderNotFound()
    return order


def timeline(ctx: Ctx, no: str) -> list[TimelineEntry]:
    """Its events, oldest first: for its shop, its supplier and platform admins."""
    found = _located(ctx, no)
    if found is None or _viewer(ctx, found[1], found[2]) is None:
        raise DispatchOrderNotFound()
    return audit.timeline(ctx, [("dispatch_order", found[0].dispatch_order_no)])


def _facts(shop: Shop, order: ShopOrder) -> OrderFacts:
    return OrderFacts(str(order.id), shop.shop_id, order.province, order.city, order.district,
                      order.buyer_name, order.buyer_phone)


def for_supplier(ctx: Ctx, supplier: Supplier, status: DispatchStatus | None,
                 before: int | None, limit: int) -> Page[DispatchOrderOut]:
    """The supplier's inbox across all its shops, newest first; recipient masked."""
    query = (select(DispatchOrder, Shop, ShopOrder)
             .join(Shop, Shop.id == DispatchOrder.shop_pk)
             .join(ShopOrder, ShopOrder.id == DispatchOrder.order_pk)
             .where(DispatchOrder.supplier_pk == supplier.id))
    if status is not None:
        query = query.where(DispatchOrder.status == status.value)
    if before is not None:
        query = query.where(DispatchOrder.id < before)
    rows = ctx.session.execute(query.order_by(DispatchOrder.id.desc()).limit(limit)).all()
    lines = lines_of(ctx, [order.id for order, _, _ in rows])
    sent = parcels.of(ctx.session, [order.id for order, _, _ in rows])
    return Page.of([(order.id, to_out(order, lines[order.id], _facts(shop, shop_order),
                                      supplier.supplier_id, for_shop=False,
                                      shipments=sent[order.id]))
                    for order, shop, shop_order in rows], limit)
