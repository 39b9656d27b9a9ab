"""Shipping as the API takes and shows it (docs/api.md: /ship, shipments:upload, corrections)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from daifa.dispatch.schemas import DispatchOrderOut
from daifa.kit.inputs import Flag, Int, Key

MAX_QUANTITY = 100_000


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class ShipLineIn(_In):
    line_id: Int = Field(ge=1, description="The line_id of one of the dispatch order's lines")
    quantity: Int = Field(ge=1, le=MAX_QUANTITY)


class ShipIn(_In):
    carrier: str = Field(min_length=1, max_length=40, examples=["SF"],
                         description="A carrier code or name: SF, 顺丰, 中通快递 ...")
    tracking_no: str = Field(min_length=1, max_length=60, examples=["SF1234567890123"],
                             description="Trimmed, upper-cased and without spaces before use")
    lines: list[ShipLineIn] | None = Field(
        default=None, min_length=1, max_length=200,
        description="Units per line in this parcel; without it the parcel carries everything "
                    "left to ship")


class WarningOut(BaseModel):
    code: str = Field(examples=["TRACKING_NO_SHAPE"])
    params: dict[str, Any] = Field(
        description="What the message is about, e.g. tracking_no, carrier and shape")


class ShipOut(DispatchOrderOut):
    warnings: list[str] = Field(default_factory=list,
                                description="E.g. a tracking number that does not look like "
                                            "the carrier's (shipped anyway), in English")
    warning_details: list[WarningOut] = Field(
        default_factory=list, description="The same warnings, in order, as a code and params")


class CorrectionIn(_In):
    carrier: str | None = Field(default=None, min_length=1, max_length=40,
                                description="Only when the carrier was wrong too")
    tracking_no: str = Field(min_length=1, max_length=60)
    reason: str | None = Field(default=None, max_length=255)


class LabelsIn(_In):
    dispatch_order_nos: list[Key] = Field(min_length=1, max_length=500,
                                          examples=[["DO26112500000001" + "01"]])


RowStatus = Literal["shipped", "ready", "already_shipped", "error"]


class UploadRowError(BaseModel):
    column: str | None = Field(description="dispatch_order_no, carrier, tracking_no, sku_code "
                                           "or quantity; null for the row as a whole")
    reason: str
    code: str
    params: dict[str, Any] | None = Field(default=None, description="The values in the reason")


class UploadRow(BaseModel):
    row: int = Field(description="The row number as Excel shows it (第N行); the header is row 1")
    dispatch_order_no: str | None
    status: RowStatus = Field(description="shipped; ready (dry run: would ship); "
                                          "already_shipped (an earlier upload did it); error")
    errors: list[UploadRowError] | None = None
    warnings: list[str] | None = None


class UploadSummary(BaseModel):
    rows: int
    shipped: int = 0
    ready: int = 0
    already_shipped: int = 0
    error: int = 0
    dispatch_orders: int = Field(default=0, description="Dispatch orders that shipped something")


class UploadOut(BaseModel):
    dry_run: bool
    summary: UploadSummary
    rows: list[UploadRow]


class SupplierSettingsIn(_In):
    auto_accept: Flag = Field(description="Accept every new dispatch order at once")


class SupplierSettingsOut(BaseModel):
    supplier_id: str
    auto_accept: bool


class WorkQueue(BaseModel):
    """What waits for the supplier: numbers of dispatch orders."""

    to_accept: int
    to_ship: int
    late: int
    on_hold: int
    cancel_requested: int
