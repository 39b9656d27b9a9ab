"""The database side of spreadsheet shipping: bulk lookups with IN lists in chunks, and the
writes as executemany statements (Core), so 100,000 rows cost a few hundred statements."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import bindparam, select

from daifa.audit.service import Move, fire_many, record_many
from daifa.context import Ctx
from daifa.db.bulk import Driver
from daifa.dispatch import notify
from daifa.dispatch.models import DispatchOrder
from daifa.dispatch.states import DISPATCH_TRANSITIONS
from daifa.errors import Conflict
from daifa.shipping.upload_state import Line, Order, Parcel
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

T = TypeVar("T")
CHUNK = 1000
_SHOP_IDS = select(Shop.id, Shop.shop_id).where(Shop.id.in_(bindparam("pks", expanding=True)))


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


# --- reading --------------------------------------------------------------------------------

_ORDER_COLUMNS = ("id, dispatch_order_no, order_pk, shop_pk, status, hold_reason, ship_by, "
                  "late")


def load_orders(ctx: Ctx, supplier_pk: int, numbers: Collection[str]) -> dict[str, Order]:
    """The supplier's dispatch orders with these numbers (others simply are not there), with
    their lines; on PostgreSQL locked in id order for the rest of the transaction."""
    driver = Driver(ctx)
    rows = []
    for chunk in chunks(sorted(n for n in numbers if n)):
        # By number alone, so the unique index is used; other suppliers' are dropped here.
        where, params = driver.is_in("dispatch_order_no", chunk)
        rows += [row for row in driver.rows(
            f"SELECT {_ORDER_COLUMNS}, supplier_pk FROM dispatch_orders WHERE {where}", params)
            if row[-1] == supplier_pk]
    if rows and not driver.sqlite:
        locked = []
        for pks in chunks(sorted(row[0] for row in rows)):
            where, params = driver.is_in("id", pks)
            locked += driver.rows(f"SELECT {_ORDER_COLUMNS}, supplier_pk FROM dispatch_orders "
                                  f"WHERE {where} ORDER BY id FOR UPDATE", params)
        rows = locked
    orders = {no: Order(pk, no, order_pk, shop_pk, status, hold, ship_by, bool(late))
              for pk, no, order_pk, shop_pk, status, hold, ship_by, late, _ in rows}
    _attach_lines(driver, orders)
    return orders


def _attach_lines(driver: Driver, orders: dict[str, Order]) -> None:
    by_pk = {order.pk: order for order in orders.values()}
    for pks in chunks(sorted(by_pk)):
        where, params = driver.is_in("dispatch_order_pk", pks)
        for pk, order_pk, line_pk, sku, supplier_sku, quantity, shipped in driver.rows(
                "SELECT id, dispatch_order_pk, line_pk, sku_code, supplier_sku_code, quantity, "
                f"shipped_quantity FROM dispatch_lines WHERE {where} ORDER BY id", params):
            by_pk[order_pk].add(Line(pk, line_pk, sku, supplier_sku, quantity, shipped))


def load_parcels(ctx: Ctx, keys: Collection[tuple[str, str]],
                 orders: dict[str, Order]) -> dict[tuple[str, str], Parcel]:
    """Parcels already recorded under these (carrier, tracking number) pairs, with the lines
    they carry when they belong to one of `orders`."""
    driver = Driver(ctx)
    by_carrier: dict[str, list[str]] = {}
    for carrier, number in keys:
        if carrier and number:
            by_carrier.setdefault(carrier, []).append(number)
    found: dict[tuple[str, str], Parcel] = {}
    for carrier, numbers in sorted(by_carrier.items()):
        for chunk in chunks(sorted(numbers)):
            where, params = driver.is_in("tracking_no", chunk)
            for pk, order_pk, number in driver.rows(
                    "SELECT id, dispatch_order_pk, tracking_no FROM shipments "
                    f"WHERE carrier_code = ? AND {where}", [carrier, *params]):
                found[(carrier, number)] = Parcel(carrier, number, order_pk, pk=pk)
    mine = {order.pk for order in orders.values()}
    by_pk = {p.pk: p for p in found.values() if p.order_pk in mine and p.pk is not None}
    for pks in chunks(sorted(by_pk)):
        where, params = driver.is_in("shipment_pk", pks)
        for shipment_pk, line_pk in driver.rows(
                f"SELECT shipment_pk, dispatch_line_pk FROM shipment_lines WHERE {where}",
                params):
            by_pk[shipment_pk].stored_lines.add(line_pk)
    return found


# --- writing --------------------------------------------------------------------------------

def apply(ctx: Ctx, supplier: Supplier, orders: Sequence[Order]) -> int:
    """Write what the plan decided; returns how many dispatch orders moved."""
    driver = Driver(ctx)
    _store_parcels(ctx, driver, supplier, orders)
    _take_units(driver, orders)
    moves, late = _moves(ctx, driver, orders)
    fire_many(ctx, DISPATCH_TRANSITIONS, DispatchOrder, moves, subject_type="dispatch_order")
    _record_late(ctx, driver, late, moves)
    ctx.publish(ShippedByFile(supplier, orders, moves, late))
    return len(moves)


@dataclass(slots=True)
class ShippedByFile:
    """Dispatch orders a spreadsheet shipped (`moves` in the order of `orders`); `late`: those
    it flagged late on the way."""

    supplier: Supplier
    orders: Sequence[Order]
    moves: Sequence[Move]
    late: Sequence[Order]


def announce(ctx: Ctx, event: ShippedByFile) -> None:
    """The webhook events of a spreadsheet's shipments, when anybody listens."""
    orders, supplier = event.orders, event.supplier
    if notify.listening(ctx, {order.shop_pk for order in orders}, {supplier.id}):
        _announce(ctx, supplier, orders, event.moves, event.late)


_INSERT_PARCEL = ("INSERT INTO shipments (id, dispatch_order_pk, shop_pk, supplier_pk, "
                  "carrier_code, tracking_no, shipped_at, created_at) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_INSERT_PARCEL_LINE = ("INSERT INTO shipment_lines (shipment_pk, dispatch_line_pk, quantity) "
                       "VALUES (?, ?, ?)")
_TAKE = ("UPDATE dispatch_lines SET shipped_quantity = shipped_quantity + ? "
         "WHERE id = ? AND shipped_quantity + ? <= quantity")


def _store_parcels(ctx: Ctx, driver: Driver, supplier: Supplier,
                   orders: Sequence[Order]) -> None:
    now = driver.time(ctx.now())
    fresh = [(order, parcel) for order in orders for parcel in order.parcels
             if parcel.pk is None]
    for (_, parcel), pk in zip(fresh, driver.new_ids("shipments", len(fresh)), strict=True):
        parcel.pk = pk
    driver.many(_INSERT_PARCEL, [
        (parcel.pk, order.pk, order.shop_pk, supplier.id, parcel.carrier, parcel.tracking_no,
         now, now) for order, parcel in fresh])
    driver.many(_INSERT_PARCEL_LINE, [
        (parcel.pk, line_pk, quantity) for order in orders for parcel in order.parcels
        for line_pk, quantity in parcel.new_lines.items()])


def _take_units(driver: Driver, orders: Sequence[Order]) -> None:
    units: dict[int, int] = {}
    for order in orders:
        for parcel in order.parcels:
            for line_pk, quantity in parcel.new_lines.items():
                units[line_pk] = units.get(line_pk, 0) + quantity
    params = [(quantity, pk, quantity) for pk, quantity in sorted(units.items())]
    if driver.many(_TAKE, params) != len(params):
        raise Conflict(code="QUANTITY_EXCEEDS_REMAINING")


def _moves(ctx: Ctx, driver: Driver, orders: Sequence[Order]) -> tuple[list[Move], list[Order]]:
    now = ctx.now()
    stored_now = driver.time(now)  # compares with ship_by as read (a string on SQLite)
    moves, late = [], []
    for order in orders:
        full = all(line.quantity == line.shipped for line in order.lines)
        values: dict[str, Any] = {"shipped_at": now} if full else {}
        if not order.late and stored_now > order.ship_by:
            values["late"] = True
            late.append(order)
        moves.append(Move(order.pk, order.status, "ship_fully" if full else "ship_partially",
                          order.no, data=_shipped_data(order), values=values))
    return moves, late


def _shipped_data(order: Order) -> dict[str, Any]:
    line_ids = {line.pk: line.line_pk for line in order.lines}
    return {"via": "upload", "shipments": [
        {"shipment_id": parcel.pk, "carrier": parcel.carrier, "tracking_no": parcel.tracking_no,
         "lines": [{"line_id": line_ids[pk], "quantity": quantity}
                   for pk, quantity in parcel.new_lines.items()]}
        for parcel in order.parcels]}


def _record_late(ctx: Ctx, driver: Driver, late: Sequence[Order],
                 moves: Sequence[Move]) -> None:
    status = {move.pk: move.target for move in moves}
    record_many(ctx, driver, [
        ("dispatch_order", order.no, "dispatch_order.late", status[order.pk], status[order.pk],
         "ship_by_passed", {"ship_by": driver.read_time(order.ship_by).isoformat()})
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
