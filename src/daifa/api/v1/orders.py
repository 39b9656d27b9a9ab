"""Shop orders in (one, a batch), read, assigned by hand, cancelled, their recipient corrected;
dry runs of proposed rules."""

from __future__ import annotations

from fastapi import Depends, File, Query, Request, Response, UploadFile
from pydantic import BaseModel

from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.idempotency import JSON, KeyHeader, respond
from daifa.api.uploads import QUEUED, Background, land, queue
from daifa.api.v1.common import paging
from daifa.context import Ctx
from daifa.fulfilment import assign, cancel, ingest, recipient_change, timeline
from daifa.fulfilment import order_files as files
from daifa.fulfilment import orders as orders
from daifa.fulfilment.schemas import OrderList, OrderOut, OrderTimeline
from daifa.kit.inputs import Instant
from daifa.orders.schemas import (
    AssignIn,
    BatchItem,
    BatchOut,
    BulkAssignIn,
    BulkAssignOut,
    CancelIn,
    ItemError,
    OrderBatchIn,
    OrderIn,
    RecipientIn,
)
from daifa.orders.states import OrderStatus
from daifa.routing import dryrun
from daifa.shops import service as shops
from daifa.shops.models import Shop

router = guarded_router(prefix="/shops/{shop_id}", tags=["orders"])
Limit = Query(default=None, ge=1, le=200)


def json(model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status, media_type=JSON)


@router.post("/orders", status_code=201, response_model=OrderOut,
             responses={200: {"model": OrderOut,
                              "description": "external_id seen before: the first order"}})
def create_order(shop_id: str, body: OrderIn, request: Request, key: str | None = KeyHeader,
                 call: Call = Depends(writer)) -> Response:
    """One order, routed at once. The response holds its dispatch orders and the lines that
    wait for manual assignment, each with its reason. A repeated `external_id` creates nothing
    and returns the first order with 200."""

    def handle(ctx: Ctx) -> tuple[int, bytes]:
        shop = shops.owned(ctx, shop_id)
        outcome = ingest.ingest(ctx, shop, [body])[0]
        assert outcome.order_pk is not None
        out = (orders.echo_out(shop, outcome.echo) if outcome.echo is not None
               else orders.outs(ctx, shop, [outcome.order_pk])[0])
        return (201 if outcome.created else 200), out.model_dump_json().encode()

    return respond(call, request, key, body.model_dump(mode="json"), handle)


@router.post("/orders:batch", response_model=BatchOut)
def create_batch(shop_id: str, body: OrderBatchIn, request: Request,
                 key: str | None = KeyHeader, call: Call = Depends(writer)) -> Response:
    """Up to 1,000 orders, each checked and created on its own: an item is
    `{external_id, order_id, created}` or `{external_id, error: {code, detail}}`."""

    def handle(ctx: Ctx) -> tuple[int, bytes]:
        shop = shops.owned(ctx, shop_id)
        outcomes = ingest.ingest_raw(ctx, shop, body.orders, channel="batch")
        items = [BatchItem(external_id=o.external_id, order_id=str(o.order_pk),
                           created=o.created) if o.error_code is None else
                 BatchItem(external_id=o.external_id,
                           error=ItemError(code=o.error_code, detail=o.error_detail or ""))
                 for o in outcomes]
        return 200, BatchOut(items=items).model_dump_json(exclude_unset=True).encode()

    return respond(call, request, key, body.model_dump(mode="json"), handle)


@router.post("/orders:import", response_model=files.FileResult, responses=QUEUED)
def import_orders(shop_id: str, file: UploadFile = File(...), dry_run: bool = False,
                  background: bool = Background, call: Call = Depends(writer)) -> Response:
    """Orders from a CSV (UTF-8, UTF-8 with BOM, UTF-16, GB18030), XLSX or XLS file, one row per
    line:
    external_id, buyer_name, buyer_phone, province, city, district, address_detail, sku_code,
    quantity, unit_price (yuan) or unit_price_fen, paid_at (or 订单号, 收货人, 手机号, 省, 市,
    区, 详细地址, SKU编码, 数量, 单价, 支付时间). `?dry_run=true` previews: per-row errors and
    how the new orders would be routed. An order with a bad row is left out whole; orders
    already there are reported as `exists`, so uploading a file again changes nothing."""
    def owner(ctx: Ctx) -> Shop:
        return shops.owned(ctx, shop_id)

    if background:
        return queue(call, files.ORDERS, owner, file, dry_run=dry_run,
                     path=f"/api/v1/shops/{shop_id}/imports")
    return json(land(call, files.ORDERS, owner, file, dry_run=dry_run))


@router.get("/orders", response_model=OrderList)
def list_orders(shop_id: str, status: OrderStatus | None = None,
                supplier_id: str | None = Query(default=None, max_length=40),
                created_from: Instant | None = None,
                created_to: Instant | None = None, unassigned: bool | None = None,
                cursor: str | None = None, limit: int | None = Limit,
                call: Call = Depends(reader)) -> Response:
    """Newest first. `unassigned=true` is the manual-assignment queue (orders with units
    waiting); `supplier_id` keeps orders with a dispatch order to that supplier."""
    before, size = paging(cursor, limit)
    filters = orders.Filters(status=status, supplier_id=supplier_id,
                             created_from=created_from, created_to=created_to,
                             unassigned=unassigned)
    with call.ctx() as ctx:
        page = orders.page(ctx, shops.owned(ctx, shop_id), filters, before, size)
        return json(OrderList(items=page.items, next_cursor=page.next_cursor()))


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(shop_id: str, order_id: str, call: Call = Depends(reader)) -> Response:
    """With its dispatch orders, every line's reason and the timeline."""
    with call.ctx() as ctx:
        return json(orders.get(ctx, shops.owned(ctx, shop_id), order_id))


@router.get("/orders/{order_id}/timeline", response_model=OrderTimeline)
def get_order_timeline(shop_id: str, order_id: str, call: Call = Depends(reader)) -> Response:
    """The order's whole story, oldest first: received, routed (why each line went where),
    its dispatch orders' moves, holds, parcels and their tracking scans, deliveries,
    cancellations. For the shop and platform admins; actors appear as roles."""
    with call.ctx() as ctx:
        items = timeline.for_order(ctx, shops.readable(ctx, shop_id), order_id)
        return json(OrderTimeline(items=items))


@router.post("/orders/{order_id}/assign", response_model=OrderOut)
def assign_order(shop_id: str, order_id: str, body: AssignIn, request: Request,
                 key: str | None = KeyHeader, call: Call = Depends(writer)) -> Response:
    """Manual assignment: units of a line to a supplier; a line may be split across
    suppliers. More units than wait is 409 QUANTITY_EXCEEDS_REMAINING; the supplier must be
    active and bound (422 SUPPLIER_NOT_BOUND) and have a source for the SKU (422 NO_SOURCE)."""

    def handle(ctx: Ctx) -> tuple[int, bytes]:
        shop = shops.owned(ctx, shop_id)
        order = assign.assign(ctx, shop, order_id, body.assignments)
        return 200, orders.outs(ctx, shop, [order.id])[0].model_dump_json().encode()

    return respond(call, request, key, body.model_dump(mode="json"), handle)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut)
def cancel_order(shop_id: str, order_id: str, body: CancelIn,
                 call: Call = Depends(writer)) -> Response:
    """Cancel units that have not left: `lines` per line, or (none) all of them. Waiting units
    and `assigned` dispatch orders are cancelled at once; `accepted` ones are asked of the
    supplier (`cancel_requested`), and their units are cancelled when it accepts. A dispatch
    order is cancelled whole: its units not asked for wait to be assigned again. Units that left
    are 409 ALREADY_SHIPPED, units already cancelled (or asked) 409 ALREADY_CANCELLED; either
    changes nothing. Returns the order as GET does."""
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        cancel.cancel(ctx, shop, order_id, body.reason, body.lines)
        return json(orders.get(ctx, shop, order_id))


@router.patch("/orders/{order_id}/recipient", response_model=OrderOut)
def correct_recipient(shop_id: str, order_id: str, body: RecipientIn,
                      call: Call = Depends(writer)) -> Response:
    """Correct the recipient's `name`, `phone` or `address` (checked as when ordering) before
    anything of the order has left (else 409 ALREADY_SHIPPED). Its suppliers are told
    (`dispatch_order.recipient_changed`) and an `address_problem` hold is released. Returns
    the order as GET does."""
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        recipient_change.correct(ctx, shop, order_id, body)
        return json(orders.get(ctx, shop, order_id))


@router.post("/orders:assign", response_model=BulkAssignOut)
def assign_bulk(shop_id: str, body: BulkAssignIn, request: Request,
                key: str | None = KeyHeader, call: Call = Depends(writer)) -> Response:
    """Bulk manual assignment from the unassigned queue, per order: one bad order does not
    stop the others."""

    def handle(ctx: Ctx) -> tuple[int, bytes]:
        items = assign.assign_bulk(ctx, shops.owned(ctx, shop_id), body.assignments)
        return 200, BulkAssignOut(items=items).model_dump_json(exclude_unset=True).encode()

    return respond(call, request, key, body.model_dump(mode="json"), handle)


@router.post("/dispatch-rules:dry-run", response_model=dryrun.DryRunOut)
def dry_run(shop_id: str, body: dryrun.DryRunIn | None = None,
            call: Call = Depends(reader)) -> Response:
    """Replay the last `days` of orders against the proposed settings and rules (laid over
    the current ones) and compare: lines, units and supply cost per supplier, and what would
    wait by reason. Changes nothing."""
    with call.ctx() as ctx:
        return json(dryrun.dry_run(ctx, shops.owned(ctx, shop_id), body or dryrun.DryRunIn()))
