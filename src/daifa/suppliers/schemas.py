from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from daifa.kit.inputs import VISIBLE


class SupplierIn(BaseModel):
    name: str = Field(min_length=1, max_length=120, pattern=VISIBLE,
                      examples=["杭州好物供应链"])
    contact_phone: str = Field(min_length=3, max_length=32, examples=["13812345678"])
    contact_name: str = Field(default="", max_length=80)
    region: str = Field(default="", max_length=80, examples=["浙江省 杭州市"])


class SupplierPublic(BaseModel):
    supplier_id: str
    name: str
    region: str
    status: str
    stars: int | None = Field(default=None, description="1–5, once enough orders are rated")


class SupplierOut(SupplierPublic):
    """What the supplier itself and platform admins see."""

    contact_name: str
    contact_phone: str
    auto_accept: bool
    review_note: str | None
    created_at: datetime
    reviewed_at: datetime | None


class SupplierList(BaseModel):
    items: list[SupplierOut]
    next_cursor: str | None = None


class ReviewIn(BaseModel):
    reason: str | None = Field(default=None, max_length=500)
