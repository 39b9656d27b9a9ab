"""A shop order as the API shows it, with its dispatch orders and timeline."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from daifa.audit.schemas import TimelineEntry
from daifa.dispatch.schemas import DispatchOrderOut
from daifa.orders.schemas import BuyerOut, OrderLineOut, UnassignedLine


class OrderOut(BaseModel):
    order_id: str
    shop_id: str
    external_id: str
    status: str
    buyer: BuyerOut
    paid_at: datetime | None
    ship_by: datetime
    created_at: datetime
    total_fen: int
    cancelled_quantity: int = Field(default=0, description="Units the shop cancelled")
    routing_version: int = Field(description="The dispatch-settings version it was routed with")
    lines: list[OrderLineOut]
    dispatch_orders: list[DispatchOrderOut]
    unassigned_lines: list[UnassignedLine]
    timeline: list[TimelineEntry] | None = Field(default=None,
                                                description="Only on GET of one order")


class OrderList(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None = None
