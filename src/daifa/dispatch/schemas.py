"""Dispatch orders as shops and suppliers see them. Never the shop's sale price."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from daifa.kit.inputs import Key


class Recipient(BaseModel):
    region: str = Field(description="Province, city and district")
    name_masked: str = Field(examples=["张*"])
    phone_masked: str = Field(examples=["139****5678"])


class DispatchLineOut(BaseModel):
    line_id: int = Field(description="The shop order's line")
    sku_code: str = Field(description="The shop's SKU code")
    supplier_sku_code: str
    quantity: int
    shipped_quantity: int = 0
    cancel_quantity: int = Field(default=0, description="Units the shop asked to cancel")
    supply_price_fen: int = Field(description="Unit supply price, quantity tier applied")
    reason: str = Field(description="sku_rule, product_rule, store_default, manual or backup")
    routing: dict[str, Any] | None = Field(
        default=None, description="The shop's view only: the rule, skipped suppliers and why, "
                                  "the backups left")


class ShipmentLineOut(BaseModel):
    line_id: int = Field(description="The shop order's line")
    sku_code: str
    supplier_sku_code: str
    quantity: int


class Shipment(BaseModel):
    """A parcel: the carrier's code and the normalised tracking number."""

    shipment_id: int | None = Field(default=None, description="For tracking-number corrections")
    carrier: str = Field(examples=["SF"])
    carrier_name: str | None = Field(default=None, examples=["顺丰"])
    tracking_no: str = Field(examples=["SF1234567890123"])
    tracking_status: str | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    lines: list[ShipmentLineOut] = Field(default_factory=list)


class DispatchOrderOut(BaseModel):
    dispatch_order_no: str
    order_id: str
    shop_id: str
    supplier_id: str
    status: str
    ship_by: datetime
    accept_by: datetime
    created_at: datetime
    supply_total_fen: int
    reassigned_from: str | None = None
    purpose: str = Field(default="order", description="order (the shop order's units), or "
                                                      "reship / exchange: an after-sales "
                                                      "replacement")
    lines: list[DispatchLineOut]
    shipments: list[Shipment] = Field(default_factory=list)
    recipient: Recipient
    # The lifecycle: a hold is a reason beside the status.
    hold_reason: str | None = Field(default=None, description="address_problem, out_of_stock, "
                                                              "awaiting_payment or other")
    held_by: str | None = Field(default=None, description="shop or supplier")
    late: bool = Field(default=False, description="Not all shipped by ship_by")
    accepted_at: datetime | None = None
    shipped_at: datetime | None = Field(default=None, description="When the last unit left")
    delivered_at: datetime | None = None
    completed_at: datetime | None = None
    reject_reason: str | None = None
    cancel_reason: str | None = None
    cancel_requested_at: datetime | None = None
    closed_at: datetime | None = Field(default=None, description="Rejected, expired or "
                                                                 "cancelled at")


class DispatchOrderList(BaseModel):
    items: list[DispatchOrderOut]
    next_cursor: str | None = None


class RecipientAddress(BaseModel):
    province: str
    city: str
    district: str
    detail: str


class FullRecipient(BaseModel):
    """The buyer as the label needs it: for the supplier while accepted or partially shipped,
    each reveal recorded."""

    dispatch_order_no: str
    name: str
    phone: str = Field(description="As written in mainland China (13912345678), else E.164")
    address: RecipientAddress
    region: str
    purpose: str
    revealed_at: datetime


# --- lifecycle requests ----------------------------------------------------------------------

SupplierRejectReason = Literal["out_of_stock", "cannot_ship_region", "price_changed", "other"]
HoldReasonIn = Literal["address_problem", "out_of_stock", "awaiting_payment", "other"]


class _ActionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class RejectIn(_ActionIn):
    reason: SupplierRejectReason
    note: str | None = Field(default=None, max_length=255)


class CancelIn(_ActionIn):
    reason: str = Field(min_length=1, max_length=255, examples=["buyer cancelled"])


class NoteIn(_ActionIn):
    note: str | None = Field(default=None, max_length=255)


class HoldIn(_ActionIn):
    reason: HoldReasonIn
    note: str | None = Field(default=None, max_length=255)


class BulkAcceptIn(_ActionIn):
    dispatch_order_nos: list[Key] = Field(min_length=1, max_length=500)


class BulkAcceptItem(BaseModel):
    dispatch_order_no: str
    status: str | None = None
    error: dict[str, str] | None = Field(default=None, description="{code, detail}")


class BulkAcceptOut(BaseModel):
    items: list[BulkAcceptItem]
