"""Orders in: one, a batch of up to 1,000, or a file's worth, routed as they arrive.

The work per call is a fixed handful of statements however many orders come in: one lookup of
external ids already taken, the routing snapshot (four queries), one conditional UPDATE of the
supplier SKUs whose stock is tracked, and a multi-row INSERT each for orders, lines, dispatch
orders, dispatch lines and events. A repeated `external_id` returns the first order; a
concurrent duplicate trips the unique constraint and is answered the same way.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, bindparam, select
from sqlalchemy.exc import IntegrityError

from daifa.audit import service as audit
from daifa.catalog import service as catalog
from daifa.catalog.models import SupplySku
from daifa.context import Ctx
from daifa.dispatch import creation
from daifa.fulfilment.rules import status_for
from daifa.orders import rules
from daifa.orders.errors import PaidAtOutOfRange
from daifa.orders.models import OrderLine, ShopOrder
from daifa.orders.schemas import OrderIn
from daifa.routing import snapshot
from daifa.routing.rules import Decision, Snapshot, explain, resolve_line
from daifa.shops.models import Shop

_ORDERS = cast(Table, ShopOrder.__table__)
_LINES = cast(Table, OrderLine.__table__)
# Built once (building a statement costs more than running it). Multi-row INSERT … RETURNING
# gives no promise of order, so rows are matched by their natural keys.
_INSERT_ORDERS = _ORDERS.insert().returning(_ORDERS.c.external_id, _ORDERS.c.id)
_INSERT_LINES = _LINES.insert().returning(_LINES.c.order_pk, _LINES.c.line_no, _LINES.c.id)
_TAKEN = select(_ORDERS.c.external_id, _ORDERS.c.id).where(
    _ORDERS.c.shop_pk == bindparam("shop"),
    _ORDERS.c.external_id.in_(bindparam("ids", expanding=True)))
MAX_ATTEMPTS = 3
# Lines written between checkpoints of a long batch: about 50 ms of work on SQLite, so a
# single order waiting behind a 1,000-order batch waits for one chunk, not the whole batch.
CHUNK_LINES = 300


@dataclass
class Echo:
    """The rows written for a new order, so the response needs no reading back."""

    order: dict[str, Any]
    lines: list[dict[str, Any]]
    dispatches: list[creation.NewDispatch]


@dataclass
class Outcome:
    """What happened to one order of a call."""

    external_id: str | None
    order_pk: int | None = None
    created: bool = False
    error_code: str | None = None
    error_detail: str | None = None
    echo: Echo | None = None


@dataclass
class _Fresh:
    data: OrderIn
    decisions: list[Decision] = field(default_factory=list)
    pk: int = 0
    row: dict[str, Any] = field(default_factory=dict)
    line_rows: list[dict[str, Any]] = field(default_factory=list)
    dispatches: list[creation.NewDispatch] = field(default_factory=list)


def paid_at_error(ctx: Ctx, order: OrderIn) -> PaidAtOutOfRange | None:
    """The error of a payment time outside the window the settings allow, if it is."""
    settings = ctx.settings
    if rules.paid_at_plausible(order.paid_at, ctx.now(),
                               max_age_days=settings.paid_at_max_age_days,
                               max_skew_minutes=settings.paid_at_max_skew_minutes):
        return None
    return PaidAtOutOfRange(days=settings.paid_at_max_age_days,
                            minutes=settings.paid_at_max_skew_minutes)


def validate(ctx: Ctx, raw: Any) -> OrderIn | Outcome:
    """One order of a batch checked on its own: the model, or an outcome carrying the error."""
    try:
        order = OrderIn.model_validate(raw)
    except ValidationError as exc:
        external = raw.get("external_id") if isinstance(raw, dict) else None
        detail = "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'order'}: {err['msg']}"
                           for err in exc.errors())
        code = ("DATE_OUT_OF_RANGE" if all(err["type"] == "date_out_of_range"
                                           for err in exc.errors()) else "VALIDATION_FAILED")
        return Outcome(external if isinstance(external, str) else None,
                       error_code=code, error_detail=detail)
    error = paid_at_error(ctx, order)
    if error is not None:
        return Outcome(order.external_id, error_code=error.code, error_detail=error.detail)
    return order


def ingest_raw(ctx: Ctx, shop: Shop, raws: Sequence[Any], *,
               channel: str = "batch") -> list[Outcome]:
    """A batch as received: each order checked on its own, the good ones created and routed."""
    checked = [validate(ctx, raw) for raw in raws]
    good = [item for item in checked if isinstance(item, OrderIn)]
    outcomes: list[Outcome] = []
    for part in chunks(good):
        outcomes += ingest(ctx, shop, part, channel=channel)
        ctx.checkpoint()
    done = iter(outcomes)
    return [next(done) if isinstance(item, OrderIn) else item for item in checked]


def chunks(orders: Sequence[OrderIn]) -> Iterator[Sequence[OrderIn]]:
    """The orders in runs of about CHUNK_LINES lines (one order is never split)."""
    start, lines = 0, 0
    for end, order in enumerate(orders, start=1):
        lines += len(order.lines)
        if lines >= CHUNK_LINES:
            yield orders[start:end]
            start, lines = end, 0
    if start < len(orders):
        yield orders[start:]


def ingest(ctx: Ctx, shop: Shop, orders: Sequence[OrderIn], *,
           channel: str = "api") -> list[Outcome]:
    """Create and route the orders not seen before; one outcome per order given, in order.
    A payment time outside the allowed window is PaidAtOutOfRange (callers with many orders
    check each with `paid_at_error` first)."""
    first: dict[str, OrderIn] = {}
    for order in orders:
        error = paid_at_error(ctx, order)
        if error is not None:
            raise error
        first.setdefault(order.external_id, order)
    seen = taken(ctx, shop.id, list(first))
    for attempt in range(MAX_ATTEMPTS):
        fresh = [_Fresh(order) for key, order in first.items() if key not in seen]
        try:
            with _guard(ctx):
                _write(ctx, shop, fresh, channel)
            break
        except IntegrityError:
            if _sqlite(ctx) or attempt == MAX_ATTEMPTS - 1:
                raise  # no savepoint to go back to (SQLite cannot race here), or we tried
            # Another request created some of these meanwhile: they count as repeats now.
            seen = taken(ctx, shop.id, list(first))
    created = {item.data.external_id: item for item in fresh}
    outcomes = []
    for order in orders:
        new = created.get(order.external_id)
        if new is not None and order is first[order.external_id]:
            outcomes.append(Outcome(order.external_id, new.pk, created=True,
                                    echo=Echo(new.row, new.line_rows, new.dispatches)))
        else:
            pk = new.pk if new is not None else seen[order.external_id]
            outcomes.append(Outcome(order.external_id, pk))
    return outcomes


def _guard(ctx: Ctx) -> AbstractContextManager[object]:
    """A savepoint to retry in, where another writer can take an external id between our
    check and our insert (PostgreSQL). SQLite writers hold the write lock from the check on."""
    return nullcontext() if _sqlite(ctx) else ctx.session.begin_nested()


def _sqlite(ctx: Ctx) -> bool:
    return ctx.session.get_bind().dialect.name == "sqlite"


def taken(ctx: Ctx, shop_pk: int, external_ids: list[str]) -> dict[str, int]:
    """external id → order row id, for those of these the shop already has."""
    if not external_ids:
        return {}
    rows = ctx.session.execute(_TAKEN, {"shop": shop_pk, "ids": external_ids})
    return {external_id: pk for external_id, pk in rows}


def _write(ctx: Ctx, shop: Shop, fresh: list[_Fresh], channel: str) -> None:
    if not fresh:
        return
    skus = {line.sku_code for item in fresh for line in item.data.lines}
    compiled = snapshot.build(ctx, shop.id, skus)
    snap = compiled.snap
    for item in fresh:
        item.decisions = [resolve_line(snap, line.sku_code, line.quantity)
                          for line in item.data.lines]
    _reserve(ctx, snap, fresh)
    events = _insert_orders(ctx, shop, snap, fresh, channel)
    line_pks = _insert_lines(ctx, snap, fresh, compiled.supplier_ids)
    known = creation.Known({shop.id: shop.shop_id}, compiled.auto_accept)
    _dispatch(ctx, shop, snap, fresh, line_pks, compiled.supplier_ids, events, known)
    audit.write_rows(ctx, events)


def _reserve(ctx: Ctx, snap: Snapshot, fresh: list[_Fresh]) -> None:
    """Take tracked stock: one conditional UPDATE for the whole call.

    The snapshot already counted every line, so a refusal means another transaction took the
    stock since: re-read it and route those lines again one by one, each reserving for itself.
    """
    need: dict[int, int] = {}
    for item in fresh:
        for line, decision in zip(item.data.lines, item.decisions, strict=True):
            if decision.source is not None and decision.source.tracked:
                pk = decision.source.supply_sku_pk
                need[pk] = need.get(pk, 0) + line.quantity
    refused = catalog.reserve_many(ctx, need)
    if not refused:
        return
    rows = ctx.session.execute(select(SupplySku.id, SupplySku.stock).where(
        SupplySku.id.in_(sorted(refused))))
    snap.stock.update({pk: stock or 0 for pk, stock in rows})
    for item in fresh:
        for index, (line, decision) in enumerate(zip(item.data.lines, item.decisions,
                                                     strict=True)):
            if decision.source is not None and decision.source.supply_sku_pk in refused:
                item.decisions[index] = place(ctx, snap, line.sku_code, line.quantity)


def place(ctx: Ctx, snap: Snapshot, sku_code: str, quantity: int) -> Decision:
    """Route one line and reserve its stock, falling through to backups while refused."""
    while True:
        decision = resolve_line(snap, sku_code, quantity)
        source = decision.source
        if source is None or not source.tracked or catalog.reserve_stock(
                ctx, source.supply_sku_pk, quantity):
            return decision
        snap.stock[source.supply_sku_pk] = 0


def _insert_orders(ctx: Ctx, shop: Shop, snap: Snapshot, fresh: list[_Fresh],
                   channel: str) -> list[dict[str, Any]]:
    """Insert the orders (filling in their row ids); returns their `received` event rows."""
    now = ctx.now()
    rows = []
    for item in fresh:
        data = item.data
        quantity = sum(line.quantity for line in data.lines)
        assigned = sum(line.quantity for line, decision in zip(data.lines, item.decisions,
                                                               strict=True)
                       if decision.supplier_pk is not None)
        address = data.buyer.address
        rows.append({
            "shop_pk": shop.id, "external_id": data.external_id,
            "status": status_for(quantity, assigned).value, "buyer_name": data.buyer.name,
            "buyer_phone": data.buyer.phone, "province": address.province,
            "city": address.city, "district": address.district,
            "address_detail": address.detail, "paid_at": data.paid_at,
            "ship_by": rules.ship_by(data.paid_at, now, snap.ship_by_hours),
            "quantity": quantity, "assigned_quantity": assigned, "cancelled_quantity": 0,
            "dispatch_count": len({d.supplier_pk for d in item.decisions
                                   if d.supplier_pk is not None}),
            "total_fen": sum(line.quantity * line.unit_price_fen for line in data.lines),
            "channel": channel, "routing_version": snap.version, "created_at": now,
        })
    returned: dict[str, int] = dict(ctx.session.execute(_INSERT_ORDERS, rows).all())
    for item, row in zip(fresh, rows, strict=True):
        item.pk = row["id"] = returned[item.data.external_id]
        item.row = row
    return [audit.event_row(ctx, "shop_order", item.pk, "shop_order.received",
                            to_status=str(row["status"]),
                            data={"external_id": item.data.external_id, "channel": channel,
                                  "routing_version": snap.version})
            for item, row in zip(fresh, rows, strict=True)]


def _insert_lines(ctx: Ctx, snap: Snapshot, fresh: list[_Fresh],
                  supplier_ids: dict[int, str]) -> list[int]:
    rows: list[dict[str, Any]] = []
    for item in fresh:
        for number, (line, decision) in enumerate(zip(item.data.lines, item.decisions,
                                                      strict=True), start=1):
            waiting = decision.supplier_pk is None
            entry = snap.skus.get(line.sku_code)
            rows.append({
                "order_pk": item.pk, "line_no": number, "sku_code": line.sku_code,
                "quantity": line.quantity, "unit_price_fen": line.unit_price_fen,
                "shop_sku_pk": entry.shop_sku_pk if entry else None,
                "assigned_quantity": 0 if waiting else line.quantity, "cancelled_quantity": 0,
                "unassigned_reason": decision.reason if waiting else None,
                "routing": explain(decision, supplier_ids) if waiting else None,
            })
    returned = {(order_pk, number): pk for order_pk, number, pk in ctx.session.execute(
        _INSERT_LINES, rows)}
    by_order = {item.pk: item for item in fresh}
    for row in rows:
        row["id"] = returned[row["order_pk"], row["line_no"]]
        by_order[row["order_pk"]].line_rows.append(row)
    return [int(row["id"]) for row in rows]


def _dispatch(ctx: Ctx, shop: Shop, snap: Snapshot, fresh: list[_Fresh], line_pks: list[int],
              supplier_ids: dict[int, str], events: list[dict[str, Any]],
              known: creation.Known) -> None:
    """One dispatch order per supplier per shop order, numbered in order of first line."""
    now = ctx.now()
    items: list[creation.NewDispatch] = []
    pks = iter(line_pks)
    for item in fresh:
        by_supplier: dict[int, creation.NewDispatch] = {}
        ship_by = rules.ship_by(item.data.paid_at, now, snap.ship_by_hours)
        for line, decision in zip(item.data.lines, item.decisions, strict=True):
            line_pk = next(pks)
            if decision.supplier_pk is None:
                continue
            target = by_supplier.get(decision.supplier_pk)
            if target is None:
                target = by_supplier[decision.supplier_pk] = creation.NewDispatch(
                    order_pk=item.pk, order_id=str(item.pk), shop_pk=shop.id,
                    supplier_pk=decision.supplier_pk, sequence=len(by_supplier) + 1,
                    ship_by=ship_by)
            source = decision.source
            target.lines.append(creation.NewLine(line_pk, line.sku_code, line.quantity,
                                                 decision, bool(source and source.tracked)))
        item.dispatches = list(by_supplier.values())
        items.extend(item.dispatches)
    creation.create(ctx, items, supplier_ids, events=events, known=known)
