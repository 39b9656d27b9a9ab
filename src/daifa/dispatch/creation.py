"""New dispatch orders from routing decisions, in bulk: their rows, their lines and a
`dispatch_order.created` event each, then `DispatchOrdersCreated` for whatever reacts (auto-accept,
webhooks)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, update

from daifa.audit import service as audit
from daifa.context import Ctx
from daifa.dispatch import rules
from daifa.dispatch.models import DispatchLine, DispatchOrder
from daifa.dispatch.states import DispatchStatus
from daifa.orders.errors import TooManyDispatchOrders
from daifa.orders.models import ShopOrder
from daifa.routing.rules import Decision, explain, unit_price

_DO = cast(Table, DispatchOrder.__table__)
_DL = cast(Table, DispatchLine.__table__)
# Multi-row INSERT … RETURNING gives no promise of order: rows are matched by number.
_INSERT_DO = _DO.insert().returning(_DO.c.dispatch_order_no, _DO.c.id)
_INSERT_DL = _DL.insert()


@dataclass
class Known:
    """What a caller read already in this transaction, so it is not asked again: the Shop ID
    of every shop and the auto-accept setting of every supplier of the new dispatch orders."""

    shop_ids: Mapping[int, str]
    auto_accept: Collection[int]  # those of the suppliers who accept at once


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
           known: Known | None = None) -> None:
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
        item.no = rules.dispatch_order_no(now, item.order_pk, item.sequence)
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
    created = [
        audit.event_row(ctx, "dispatch_order", item.no, "dispatch_order.created",
                        to_status=DispatchStatus.ASSIGNED.value, reason=event_reason,
                        data={"order_id": item.order_id,
                              "supplier_id": supplier_ids.get(item.supplier_pk),
                              "lines": [{"line_id": line.line_pk, "quantity": line.quantity,
                                         "reason": line.decision.reason}
                                        for line in item.lines]})
        for item in items
    ]
    if events is None:
        audit.write_rows(ctx, created)
    else:
        events.extend(created)
    ctx.publish(DispatchOrdersCreated(items, supplier_ids, known, events))


def take_sequences(ctx: Ctx, order: ShopOrder, count: int) -> int:
    """Reserve `count` dispatch-order sequence numbers of the order; returns the first.

    One UPDATE … RETURNING on the order row, which also queues concurrent assignments of the
    same order behind each other on PostgreSQL (SQLite writers queue anyway).
    """
    last = ctx.session.execute(
        update(ShopOrder).where(ShopOrder.id == order.id)
        .values(dispatch_count=ShopOrder.dispatch_count + count)
        .returning(ShopOrder.dispatch_count)
        .execution_options(synchronize_session=False)).scalar_one()
    if last > rules.MAX_DISPATCH_ORDERS_PER_ORDER:
        raise TooManyDispatchOrders(limit=rules.MAX_DISPATCH_ORDERS_PER_ORDER)
    return int(last) - count + 1


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
        "stock_reserved": line.stock_reserved, "shipped_quantity": 0, "cancel_quantity": 0,
    }


@dataclass(slots=True)
class DispatchOrdersCreated:
    """New dispatch orders, all `assigned`. `rows`: the timeline rows the caller inserts with
    its own after the reactions (None: they are written already)."""

    items: Sequence[NewDispatch]
    supplier_ids: Mapping[int, str]
    known: Known | None = None
    rows: list[dict[str, Any]] | None = None
