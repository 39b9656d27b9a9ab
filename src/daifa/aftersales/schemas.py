"""After-sales cases and return addresses as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from daifa.aftersales.states import (
    CaseReason,
    CaseRejectReason,
    CaseStatus,
    CaseType,
    Condition,
    Liability,
)
from daifa.kit.inputs import Flag, Int
from daifa.orders.schemas import MAX_LINES, MAX_QUANTITY, AddressOut, BuyerIn, Code

MAX_NOTE = 2000
MAX_REFUND_FEN = 10**14


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class CaseLineIn(_In):
    line_id: Int = Field(ge=1, le=2**62, description="A line of the shop order")
    quantity: Int = Field(ge=1, le=MAX_QUANTITY)


class CaseIn(_In):
    type: CaseType
    reason: CaseReason
    lines: list[CaseLineIn] = Field(min_length=1, max_length=MAX_LINES)
    refund_fen: Int | None = Field(
        default=None, ge=0, le=MAX_REFUND_FEN,
        description="The refund asked, at most what the buyer paid for those units; by "
                    "default all of it (refunds and returns) or nothing (reships and "
                    "exchanges). Split over the cases in proportion to what each one's units "
                    "cost the buyer.")
    note: str | None = Field(default=None, max_length=MAX_NOTE)
    exchange_sku_code: Code | None = Field(
        default=None, description="exchange: the shop's SKU to send instead (default: the "
                                  "same SKU); its supplier must supply it")


class ApproveIn(_In):
    return_address_id: Int | None = Field(
        default=None, ge=1, le=2**62,
        description="Return types: where the buyer sends the parcel (default: the supplier's "
                    "default return address)")


class RejectIn(_In):
    reason: CaseRejectReason
    note: str | None = Field(default=None, max_length=MAX_NOTE)


class ReturnShipmentIn(_In):
    carrier: str = Field(min_length=1, max_length=40, examples=["SF", "顺丰"])
    tracking_no: str = Field(min_length=1, max_length=64)


class ReceiveIn(_In):
    condition: Condition
    note: str | None = Field(default=None, max_length=MAX_NOTE)


class EscalateIn(_In):
    reason: str = Field(min_length=1, max_length=MAX_NOTE)


class DecideIn(_In):
    liability: Liability
    refund_fen: Int = Field(ge=0, le=MAX_REFUND_FEN,
                            description="The final refund, at most what the buyer paid")
    note: str = Field(min_length=1, max_length=MAX_NOTE, description="Why, for the record")


class CancelIn(_In):
    reason: str | None = Field(default=None, max_length=MAX_NOTE)


class ReturnAddressIn(BuyerIn):
    is_default: Flag = False


class ReturnAddressOut(BaseModel):
    id: int
    name: str
    phone: str
    address: AddressOut
    is_default: bool


class ReturnAddressList(BaseModel):
    items: list[ReturnAddressOut]


class CaseLineOut(BaseModel):
    line_id: int
    sku_code: str
    quantity: int


class ReturnShipmentOut(BaseModel):
    carrier: str
    tracking_no: str
    sent_at: datetime
    tracking_status: str | None = Field(default=None, description="The latest scan's status")


class EvidenceOut(BaseModel):
    id: int
    party: str
    filename: str
    media_type: str
    size: int
    uploaded_at: datetime
    url: str


class CaseTimelineEntry(BaseModel):
    at: datetime
    actor_role: str
    type: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    data: dict[str, Any]


class CaseOut(BaseModel):
    case_no: str
    type: CaseType
    status: CaseStatus
    shop_id: str
    supplier_id: str
    order_id: str
    external_id: str
    dispatch_order_no: str
    lines: list[CaseLineOut]
    reason: CaseReason
    note: str | None
    refund_fen: int
    exchange_sku_code: str | None = None
    reply_by: datetime
    auto_approved: bool
    return_address: ReturnAddressOut | None = None
    return_by: datetime | None = None
    return_shipment: ReturnShipmentOut | None = None
    condition: Condition | None = None
    reject_reason: CaseRejectReason | None = None
    escalated_by: str | None = None
    reship_dispatch_order_no: str | None = None
    liability: Liability | None = None
    final_refund_fen: int | None = None
    decision_note: str | None = None
    created_at: datetime
    closed_at: datetime | None = None
    allowed_actions: list[str] = Field(default_factory=list,
                                       description="What the reader may do now")
    evidence: list[EvidenceOut] = Field(default_factory=list)
    timeline: list[CaseTimelineEntry] | None = None


class CaseList(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None = None


class CasesOpened(BaseModel):
    items: list[CaseOut]
