"""A shop order as the API shows it, with its dispatch orders and timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from daifa.audit.schemas import TimelineEntry
from daifa.dispatch.schemas import DispatchOrderOut
from daifa.orders.schemas import BuyerOut, OrderLineOut, UnassignedLine

# --- the order's timeline (fulfilment/timeline.py; docs/api.md "The order timeline") ----------

ActorRole = Literal["merchant", "supplier", "platform", "system"]


class TimelineObject(BaseModel):
    """What an entry is about: `shop_order` (id: the order id), `dispatch_order` (id: its
    number), `shipment` (id: the parcel's id, with the number of its dispatch order)."""

    type: str
    id: str
    dispatch_order_no: str | None = None


class OrderTimelineEntry(BaseModel):
    at: datetime
    actor_role: ActorRole = Field(description="merchant, supplier, platform or system; never "
                                              "a login or an account")
    type: str
    object: TimelineObject
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, Any]
    # Who acted, only to fold repeated rows in the console (never serialised).
    actor_key: str = Field(default="", exclude=True)


class OrderTimeline(BaseModel):
    items: list[OrderTimelineEntry]


class StoryEntry(TimelineEntry):
    """An entry of a dispatch order's (or, in GET of one order, the order's) timeline: the
    audit shape plus the role and the object; `actor` is the login or key label only for the
    reader's own party (every label for an admin), else the role."""

    actor_role: ActorRole
    object: TimelineObject
    actor_key: str = Field(default="", exclude=True)


class DispatchTimeline(BaseModel):
    items: list[StoryEntry]


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
    erased_at: datetime | None = Field(default=None, description="When the buyer's name, phone "
                                                                 "and street address were "
                                                                 "erased (the order is over)")
    routing_version: int = Field(description="The dispatch-settings version it was routed with")
    lines: list[OrderLineOut]
    dispatch_orders: list[DispatchOrderOut]
    unassigned_lines: list[UnassignedLine]
    timeline: list[StoryEntry] | None = Field(default=None,
                                                description="Only on GET of one order")


class OrderList(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None = None

