"""Orders as the API takes them, and the parts of an order as it shows them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from daifa.kit.inputs import Instant, Int
from daifa.orders import rules

MAX_LINES = 200
MAX_BATCH = 1000
MAX_QUANTITY = 100_000
# ¥100 million a unit: line and order totals stay far inside 64-bit integers.
MAX_UNIT_PRICE_FEN = 10**10


def _phone(raw: str) -> str:
    return rules.normalise_phone(raw)


Text40 = Annotated[str, Field(min_length=1, max_length=40)]
Code = Annotated[str, Field(min_length=1, max_length=64)]


class _In(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore")


class AddressIn(_In):
    province: Text40 = Field(examples=["浙江省"])
    city: Text40 = Field(examples=["杭州市"])
    district: Text40 = Field(examples=["西湖区"])
    detail: str = Field(min_length=1, max_length=255, examples=["文三路 90 号 1 幢 101 室"])


class BuyerIn(_In):
    name: str = Field(min_length=1, max_length=80, examples=["张三"])
    phone: Annotated[str, Field(min_length=3, max_length=32), AfterValidator(_phone)] = Field(
        description="Checked and stored in E.164; mainland China unless it has a country code",
        examples=["13912345678"])
    address: AddressIn


class LineIn(_In):
    sku_code: Code = Field(description="The shop's SKU code; an unknown one is kept, "
                                       "unassigned with reason UNKNOWN_SKU",
                           examples=["TEE-RED-M"])
    quantity: Int = Field(ge=1, le=MAX_QUANTITY)
    unit_price_fen: Int = Field(ge=0, le=MAX_UNIT_PRICE_FEN,
                                description="The shop's sale price per unit, in fen")


class OrderIn(_In):
    external_id: Code = Field(description="The channel's order number; unique per shop. A "
                                          "string, also when it is all digits",
                              examples=["3721456789012345678"])
    buyer: BuyerIn
    lines: list[LineIn] = Field(min_length=1, max_length=MAX_LINES)
    paid_at: Instant | None = Field(
        default=None, description="Payment time; the ship-by deadline counts from it (or from "
                                  "receipt when absent). At most paid_at_max_age_days ago "
                                  "(90 by default) and not ahead of the clock by more than "
                                  "paid_at_max_skew_minutes (10)")


class OrderBatchIn(BaseModel):
    """Each order is checked on its own, so one bad order does not fail the others."""

    orders: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_BATCH)


class ItemError(BaseModel):
    code: str
    detail: str


class BatchItem(BaseModel):
    external_id: str | None
    order_id: str | None = None
    created: bool | None = Field(default=None, description="False when the external_id was "
                                                          "already there (nothing created)")
    error: ItemError | None = None


class BatchOut(BaseModel):
    items: list[BatchItem]


class AddressOut(BaseModel):
    province: str
    city: str
    district: str
    detail: str


class BuyerOut(BaseModel):
    name: str
    phone: str
    address: AddressOut


class Assignment(BaseModel):
    """Units of a line that went to one supplier, and why."""

    dispatch_order_no: str
    supplier_id: str
    quantity: int
    reason: str
    routing: dict[str, Any] = Field(default_factory=dict)


class OrderLineOut(BaseModel):
    line_id: int
    sku_code: str
    quantity: int
    unit_price_fen: int
    assigned_quantity: int
    cancelled_quantity: int = Field(default=0, description="Units the shop cancelled")
    assignments: list[Assignment] = Field(default_factory=list)
    unassigned_reason: str | None = None
    routing: dict[str, Any] | None = Field(default=None, description="Why the units not with "
                                                                     "a supplier wait")


class UnassignedLine(BaseModel):
    line_id: int
    sku_code: str
    quantity: int = Field(description="Units still waiting")
    reason: str
    routing: dict[str, Any] | None = None


class AssignmentIn(BaseModel):
    line_id: Int
    supplier_id: str = Field(min_length=1, max_length=40, examples=["SP3K7QXMF"])
    quantity: Int = Field(ge=1, le=MAX_QUANTITY)


class AssignIn(BaseModel):
    assignments: list[AssignmentIn] = Field(min_length=1, max_length=MAX_LINES)


class BulkAssignmentIn(AssignmentIn):
    order_id: str = Field(min_length=1, max_length=20, examples=["1024"])


class BulkAssignIn(BaseModel):
    assignments: list[BulkAssignmentIn] = Field(min_length=1, max_length=MAX_BATCH)


class BulkAssignItem(BaseModel):
    order_id: str
    status: str | None = None
    dispatch_order_nos: list[str] = Field(default_factory=list)
    error: ItemError | None = None


class BulkAssignOut(BaseModel):
    items: list[BulkAssignItem]


class CancelLineIn(BaseModel):
    line_id: int
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class CancelIn(_In):
    reason: str = Field(min_length=1, max_length=255, examples=["buyer cancelled"])
    lines: list[CancelLineIn] | None = Field(
        default=None, max_length=MAX_LINES,
        description="Units to cancel per line; none: every unit that has not left")


class RecipientIn(_In):
    """Only the fields given change; checked like an order's buyer."""

    name: str | None = Field(default=None, min_length=1, max_length=80)
    phone: Annotated[str, Field(min_length=3, max_length=32), AfterValidator(_phone)] | None = \
        Field(default=None, description="Checked and stored in E.164, as when ordering")
    address: AddressIn | None = None


class ReassignIn(BaseModel):
    supplier_id: str = Field(min_length=1, max_length=40, examples=["SP3K7QXMF"])
    reason: str | None = Field(default=None, max_length=500)
