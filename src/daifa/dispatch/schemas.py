"""Dispatch orders as shops and suppliers see them. Never the shop's sale price."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


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
    supply_price_fen: int = Field(description="Unit supply price, quantity tier applied")
    reason: str = Field(description="sku_rule, product_rule, store_default, manual or backup")
    routing: dict[str, Any] | None = Field(
        default=None, description="The shop's view only: the rule, skipped suppliers and why, "
                                  "the backups left")


class Shipment(BaseModel):
    carrier: str
    tracking_no: str
    lines: list[dict[str, Any]] = Field(default_factory=list)


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
    lines: list[DispatchLineOut]
    shipments: list[Shipment] = Field(default_factory=list)
    recipient: Recipient


class DispatchOrderList(BaseModel):
    items: list[DispatchOrderOut]
    next_cursor: str | None = None
