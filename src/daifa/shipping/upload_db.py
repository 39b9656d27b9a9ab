"""The database side of spreadsheet shipping: bulk lookups with IN lists in chunks, and the
writes as executemany statements (Core), so 100,000 rows cost a few hundred statements."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import Table, bindparam, insert, select, update

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import notify, progress
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.dispatch.states import DISPATCH_TRANSITIONS
from daifa.dispatch.transitions import INSERT_EVENTS, Move, fire_many
from daifa.errors import Conflict
from daifa.shipping.models import Shipment, ShipmentLine
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

if TYPE_CHECKING:
    from daifa.shipping.upload import Order, Parcel

T = TypeVar("T")
CHUNK = 1000
_DO = cast(Table, DispatchOrder.__table__)
_DL = cast(Table, DispatchLine.__table__)
_S = cast(Table, Shipment.__table__)
_SL = cast(Table, ShipmentLine.__table__)
_ORDER_COLUMNS = (_DO.c.id, _DO.c.dispatch_order_no, _DO.c.order_pk, _DO.c.shop_pk,
                  _DO.c.status, _DO.c.hold_reason, _DO.c.ship_by, _DO.c.late)
_ORDERS_BY_NO = select(*_ORDER_COLUMNS).where(
    _DO.c.supplier_pk == bindparam("supplier"),
    _DO.c.dispatch_order_no.in_(bindparam("nos", expanding=True)))
_LOCK = (select(*_ORDER_COLUMNS).where(_DO.c.id.in_(bindparam("pks", expanding=True)))
         .order_by(_DO.c.id).with_for_update())
_LINES = (select(_DL.c.id, _DL.c.dispatch_order_pk, _DL.c.line_pk, _DL.c.sku_code,
                 _DL.c.supplier_sku_code, _DL.c.quantity, _DL.c.shipped_quantity)
          .where(_DL.c.dispatch_order_pk.in_(bindparam("pks", expanding=True)))
          .order_by(_DL.c.id))
_PARCELS = select(_S.c.id, _S.c.dispatch_order_pk, _S.c.carrier_code, _S.c.tracking_no).where(
    _S.c.carrier_code == bindparam("carrier"),
    _S.c.tracking_no.in_(bindparam("numbers", expanding=True)))
_PARCEL_LINES = select(_SL.c.shipment_pk, _SL.c.dispatch_line_pk).where(
    _SL.c.shipment_pk.in_(bindparam("pks", expanding=True)))
_INSERT_PARCELS = insert(_S).returning(_S.c.id, sort_by_parameter_order=True)
_INSERT_PARCEL_LINES = insert(_SL)
_TAKE = (update(_DL)
         .where(_DL.c.id == bindparam("u_pk"),
                _DL.c.shipped_quantity + bindparam("u_q") <= _DL.c.quantity)
         .values(shipped_quantity=_DL.c.shipped_quantity + bindparam("u_q")))
_SHOP_IDS = select(Shop.id, Shop.shop_id).where(Shop.id.in_(bindparam("pks", expanding=True)))


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


# --- reading --------------------------------------------------------------------------------

def load_orders(ctx: Ctx, supplier_pk: int, numbers: Collection[str]) -> dict[str, Order]:
    """The supplier's dispatch orders with these numbers (others simply are not there), with
    their lines; on PostgreSQL locked in id order for the rest of the transaction."""
    from daifa.shipping.upload import Order

    wanted = sorted(n for n in numbers if n)
    rows = [row for chunk in chunks(wanted)
            for row in ctx.session.execute(_ORDERS_BY_NO, {"supplier": supplier_pk,
                                                           "nos": chunk})]
    if rows and ctx.session.get_bind().dialect.name == "postgresql":
        pks = sorted(row.id for row in rows)
        rows = [row for chunk in chunks(pks) for row in ctx.session.execute(_LOCK, {"pks": chunk})]
    orders = {row.dispatch_order_no: Order(row.id, row.dispatch_order_no, row.order_pk,
                                           row.shop_pk, row.status, row.hold_reason, row.ship_by,
                                           bool(row.late)) for row in rows}
    _attach_lines(ctx, orders)
    return orders


def _attach_lines(ctx: Ctx, orders: dict[str, Order]) -> None:
    from daifa.shipping.upload import Line

    by_pk = {order.pk: order for order in orders.values()}
    for chunk in chunks(sorted(by_pk)):
        for row in ctx.session.execute(_LINES, {"pks": chunk}):
            by_pk[row.dispatch_order_pk].lines.append(Line(
                row.id, row.line_pk, row.sku_code, row.supplier_sku_code, row.quantity,
                row.shipped_quantity))


def load_parcels(ctx: Ctx, keys: Collection[tuple[str, str]],
                 orders: dict[str, Order]) -> dict[tuple[str, str], Parcel]:
    """Parcels already recorded under these (carrier, tracking number) pairs, with the lines
    they carry when they belong to one of `orders`."""
    from daifa.shipping.upload import Parcel

    by_carrier: dict[str, list[str]] = {}
    for carrier, number in keys:
        if carrier and number:
            by_carrier.setdefault(carrier, []).append(number)
    found: dict[tuple[str, str], Parcel] = {}
    for carrier, numbers in sorted(by_carrier.items()):
        for chunk in chunks(sorted(numbers)):
            for row in ctx.session.execute(_PARCELS, {"carrier": carrier, "numbers": chunk}):
                found[(row.carrier_code, row.tracking_no)] = Parcel(
                    row.carrier_code, row.tracking_no, row.dispatch_order_pk, pk=row.id)
    mine = {order.pk for order in orders.values()}
    by_pk = {p.pk: p for p in found.values() if p.order_pk in mine and p.pk is not None}
    for pks in chunks(sorted(by_pk)):
        for shipment_pk, line_pk in ctx.session.execute(_PARCEL_LINES, {"pks": pks}):
            by_pk[shipment_pk].stored_lines.add(line_pk)
    return found


# --- writing --------------------------------------------------------------------------------

def apply(ctx: Ctx, supplier: Supplier, orders: Sequence[Order]) -> int:
    """Write what the plan decided; returns how many dispatch orders moved."""
    _store_parcels(ctx, supplier, orders)
    _take_units(ctx, orders)
    moves, late = _moves(ctx, orders)
    fire_many(ctx, DISPATCH_TRANSITIONS, DispatchOrder, moves, subject_type="dispatch_order")
    _record_late(ctx, late, moves)
    progress.settle(ctx, {order.order_pk for order in orders},
                    data={"via": "upload"})
    _announce(ctx, supplier, orders, moves, late)
    return len(moves)


def _store_parcels(ctx: Ctx, supplier: Supplier, orders: Sequence[Order]) -> None:
    now = ctx.now()
    fresh = [(order, parcel) for order in orders for parcel in order.parcels
             if parcel.pk is None]
    for chunk in chunks(fresh):
        ids = ctx.session.execute(_INSERT_PARCELS, [
            {"dispatch_order_pk": order.pk, "shop_pk": order.shop_pk, "supplier_pk": supplier.id,
             "carrier_code": parcel.carrier, "tracking_no": parcel.tracking_no,
             "shipped_at": now, "created_at": now} for order, parcel in chunk]).scalars().all()
        for (_, parcel), pk in zip(chunk, ids, strict=True):
            parcel.pk = pk
    rows = [{"shipment_pk": parcel.pk, "dispatch_line_pk": line_pk, "quantity": quantity}
            for order in orders for parcel in order.parcels
            for line_pk, quantity in parcel.new_lines.items()]
    for part in chunks(rows, 10 * CHUNK):
        ctx.session.execute(_INSERT_PARCEL_LINES, part)


def _take_units(ctx: Ctx, orders: Sequence[Order]) -> None:
    units: dict[int, int] = {}
    for order in orders:
        for parcel in order.parcels:
            for line_pk, quantity in parcel.new_lines.items():
                units[line_pk] = units.get(line_pk, 0) + quantity
    params = [{"u_pk": pk, "u_q": quantity} for pk, quantity in sorted(units.items())]
    for chunk in chunks(params, 10 * CHUNK):
        result = ctx.session.execute(_TAKE, chunk)
        if result.rowcount != len(chunk):  # type: ignore[attr-defined]
            raise Conflict("some lines were shipped meanwhile; nothing was shipped, upload again",
                           code="QUANTITY_EXCEEDS_REMAINING")


def _moves(ctx: Ctx, orders: Sequence[Order]) -> tuple[list[Move], list[Order]]:
    now = ctx.now()
    moves, late = [], []
    for order in orders:
        full = all(line.left == 0 for line in order.lines)
        values: dict[str, Any] = {"shipped_at": now} if full else {}
        if not order.late and now > order.ship_by:
            values["late"] = True
            late.append(order)
        moves.append(Move(order.pk, order.status, "ship_fully" if full else "ship_partially",
                          order.no, data=_shipped_data(order), values=values))
    return moves, late


def _shipped_data(order: Order) -> dict[str, Any]:
    line_ids = {line.pk: line.line_pk for line in order.lines}
    return {"via": "upload", "shipments": [
        {"shipment_id": parcel.pk, "carrier": parcel.carrier, "tracking_no": parcel.tracking_no,
         "lines": [{"line_id": line_ids[pk], "quantity": q} for pk, q in parcel.new_lines.items()]}
        for parcel in order.parcels]}


def _record_late(ctx: Ctx, late: Sequence[Order], moves: Sequence[Move]) -> None:
    if not late:
        return
    now, label, account = ctx.now(), audit.actor_label(ctx), ctx.actor.account_id
    status = {move.pk: move.target for move in moves}
    ctx.session.execute(INSERT_EVENTS, [
        {"at": now, "actor": label, "actor_account_id": account,
         "subject_type": "dispatch_order", "subject_id": order.no, "type": "dispatch_order.late",
         "from_status": status[order.pk], "to_status": status[order.pk],
         "reason": "ship_by_passed", "data": {"ship_by": order.ship_by.isoformat()}}
        for order in late])


def _announce(ctx: Ctx, supplier: Supplier, orders: Sequence[Order], moves: Sequence[Move],
              late: Sequence[Order]) -> None:
    shop_ids: dict[int, str] = {}
    for chunk in chunks(sorted({order.shop_pk for order in orders})):
        shop_ids.update(ctx.session.execute(_SHOP_IDS, {"pks": chunk}).all())
    now = ctx.now()
    late_pks = {order.pk for order in late}
    items = []
    for order, move in zip(orders, moves, strict=True):
        data = notify.payload(no=order.no, order_pk=order.order_pk,
                              shop_id=shop_ids.get(order.shop_pk, ""),
                              supplier_id=supplier.supplier_id, status=move.target,
                              previous_status=order.status, action=move.action, at=now,
                              late=order.late or order.pk in late_pks, **move.data)
        items.append((order.shop_pk, supplier.id, move.action, data))
        if order.pk in late_pks:
            items.append((order.shop_pk, supplier.id, "late",
                          {**data, "action": "late", "reason": "ship_by_passed"}))
    notify.emit_many(ctx, items)
