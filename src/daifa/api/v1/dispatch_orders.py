"""Dispatch orders (代发单): the supplier's inbox, one order for its shop or supplier, its
timeline, and reassignment by the shop."""

from __future__ import annotations

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel

from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.idempotency import JSON, KeyHeader, respond
from daifa.api.v1.common import paging
from daifa.context import Ctx
from daifa.dispatch.schemas import DispatchOrderList, DispatchOrderOut
from daifa.dispatch.states import DispatchStatus
from daifa.fulfilment import timeline
from daifa.fulfilment.reassign import reassign
from daifa.fulfilment.schemas import DispatchTimeline
from daifa.orders.schemas import ReassignIn
from daifa.shipping import views
from daifa.shops import service as shops
from daifa.suppliers import service as suppliers

router = guarded_router(tags=["dispatch orders"])
Limit = Query(default=None, ge=1, le=200)


def json(model: BaseModel) -> Response:
    return Response(model.model_dump_json(), media_type=JSON)


@router.get("/suppliers/{supplier_id}/dispatch-orders", response_model=DispatchOrderList)
def supplier_inbox(supplier_id: str, status: DispatchStatus | None = None,
                   cursor: str | None = None, limit: int | None = Limit,
                   call: Call = Depends(reader)) -> Response:
    """Across all the supplier's shops, newest first. The recipient shows the region and a
    masked name and phone; the shop's sale prices never appear."""
    before, size = paging(cursor, limit)
    with call.ctx() as ctx:
        page = views.for_supplier(ctx, suppliers.owned(ctx, supplier_id), status, before,
                                     size)
        return json(DispatchOrderList(items=page.items, next_cursor=page.next_cursor()))


@router.get("/dispatch-orders/{dispatch_order_no}", response_model=DispatchOrderOut)
def get_dispatch_order(dispatch_order_no: str, call: Call = Depends(reader)) -> Response:
    """For its shop and its supplier; anyone else gets 404."""
    with call.ctx() as ctx:
        return json(views.visible(ctx, dispatch_order_no))


@router.get("/dispatch-orders/{dispatch_order_no}/timeline", response_model=DispatchTimeline)
def dispatch_order_timeline(dispatch_order_no: str, call: Call = Depends(reader)) -> Response:
    """Oldest first: its events and its parcels' tracking scans; for its shop, its supplier
    and platform admins. `actor` names a login only to its own party (and admins)."""
    with call.ctx() as ctx:
        return json(DispatchTimeline(items=timeline.for_dispatch_order(ctx, dispatch_order_no)))


@router.post("/shops/{shop_id}/dispatch-orders/{dispatch_order_no}/reassign",
             response_model=DispatchOrderOut)
def reassign_dispatch_order(shop_id: str, dispatch_order_no: str, body: ReassignIn,
                            request: Request, key: str | None = KeyHeader,
                            call: Call = Depends(writer)) -> Response:
    """Move a dispatch order nobody accepted yet to another bound supplier: the old one ends
    `cancelled` (reason `reassigned`), the new one is returned. Once accepted it is 409."""

    def handle(ctx: Ctx) -> tuple[int, bytes]:
        out = reassign(ctx, shops.owned(ctx, shop_id), dispatch_order_no, body.supplier_id,
                       body.reason)
        return 200, out.model_dump_json().encode()

    return respond(call, request, key, body.model_dump(mode="json"), handle)
