from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from daifa.kit.inputs import Int


class InvitationIn(BaseModel):
    expires_in_hours: Int = Field(default=168, ge=1, le=720)
    max_uses: Int = Field(default=1, ge=1, le=1000)


class InvitationOut(BaseModel):
    id: int
    shop_id: str
    status: str
    hint: str = Field(description="The first characters of the token, to tell links apart")
    uses: int
    max_uses: int
    expires_at: datetime
    created_at: datetime


class InvitationCreated(InvitationOut):
    token: str = Field(description="Shown once; the link and QR code carry it")
    url: str
    qr_svg_url: str
    qr_png_url: str


class InvitationList(BaseModel):
    items: list[InvitationOut]


class InvitationPublic(BaseModel):
    """What anyone holding the link sees before accepting."""

    shop_id: str
    shop_name: str
    status: str
    expires_at: datetime


class AcceptIn(BaseModel):
    supplier_id: str = Field(min_length=1, max_length=40, examples=["SP3K7QXMD"])


class ApplicationIn(BaseModel):
    supplier_id: str = Field(min_length=1, max_length=40)
    message: str = Field(default="", max_length=500)


class DecisionIn(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class ApplicationOut(BaseModel):
    id: uuid.UUID
    shop_id: str
    shop_name: str
    supplier_id: str
    supplier_name: str
    status: str
    message: str
    expires_at: datetime
    created_at: datetime
    decided_at: datetime | None
    decision_reason: str | None


class ApplicationList(BaseModel):
    items: list[ApplicationOut]
    next_cursor: str | None = None


class BindingOut(BaseModel):
    shop_id: str
    shop_name: str
    supplier_id: str
    supplier_name: str
    supplier_status: str
    status: str
    created_via: str
    created_at: datetime
    ended_at: datetime | None
    ended_by: str | None
    end_reason: str | None


class BindingList(BaseModel):
    items: list[BindingOut]
    next_cursor: str | None = None


class UnbindIn(BaseModel):
    reason: str | None = Field(default=None, max_length=500)
