"""Dispatch settings and rules as the API takes and shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from daifa.kit.inputs import Flag, Int, Key
from daifa.routing.states import DispatchMode, RuleKind

MAX_RULE_SUPPLIERS = 5


class DispatchSettingsIn(BaseModel):
    """Fields left out keep their current value; `default_supplier_id: null` clears it."""

    mode: DispatchMode
    default_supplier_id: str | None = Field(default=None, max_length=40,
                                            examples=["SP3K7QXMD"])
    fallback_to_default: Flag | None = Field(
        default=None, description="by_product: lines matching no rule go to the default "
                                  "supplier instead of waiting for manual assignment")
    ship_by_hours: Int | None = Field(default=None, ge=1, le=720,
                                      description="Ship-by deadline after payment (default 48)")


class SupplierRef(BaseModel):
    supplier_id: str
    name: str
    status: str
    bound: bool = Field(description="Active and actively bound to the shop right now")


class DispatchSettingsOut(BaseModel):
    shop_id: str
    mode: DispatchMode
    default_supplier_id: str | None
    default_supplier: SupplierRef | None
    fallback_to_default: bool
    ship_by_hours: int
    version: int = Field(description="Bumped by every change of settings or rules")
    updated_at: datetime | None


class DispatchRuleIn(BaseModel):
    supplier_ids: list[Key] = Field(min_length=1, max_length=MAX_RULE_SUPPLIERS,
                                    description="First choice, then backups in order")


class DispatchRuleOut(BaseModel):
    kind: RuleKind
    key: str = Field(description="The shop's spu_code (product rule) or sku_code (SKU rule)")
    supplier_ids: list[str]
    suppliers: list[SupplierRef]
    updated_at: datetime


class DispatchRuleList(BaseModel):
    items: list[DispatchRuleOut]
    next_cursor: str | None = None
