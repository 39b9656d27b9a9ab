"""The inbound tracking webhook's body, and tracking as shops and suppliers see it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from daifa.kit.inputs import Instant


class TrackingEventIn(BaseModel):
    event_id: str | None = Field(default=None, min_length=1, max_length=100,
                                 description="The provider's id for the event, when it has one")
    carrier: str = Field(min_length=1, max_length=40, description="Carrier code or name",
                         examples=["SF", "顺丰"])
    tracking_no: str = Field(min_length=1, max_length=60, examples=["SF1234567890123"])
    status: str = Field(min_length=1, max_length=24,
                        description="A tracking status value or its Chinese label",
                        examples=["in_transit", "运输中"])
    occurred_at: Instant = Field(description="When it happened, with a UTC offset")
    description: str | None = Field(default=None, max_length=500,
                                    examples=["【杭州转运中心】已发出"])


class TrackingWebhookIn(BaseModel):
    events: list[TrackingEventIn] = Field(min_length=1, max_length=1000)


class TrackingAccepted(BaseModel):
    received: int = Field(description="Events in the request; duplicates are dropped later")


class TrackingEventOut(BaseModel):
    status: str = Field(examples=["in_transit"])
    label: str = Field(examples=["运输中"])
    occurred_at: datetime
    description: str


class ParcelOut(BaseModel):
    carrier: str = Field(examples=["SF"])
    carrier_name: str = Field(examples=["顺丰"])
    tracking_no: str
    status: str | None = Field(description="Latest tracking status; null before any event")
    status_label: str | None = Field(examples=["运输中"])
    shipped_at: datetime
    tracking_updated_at: datetime | None
    delivered_at: datetime | None
    events: list[TrackingEventOut] = Field(description="Oldest first")


class TrackingOut(BaseModel):
    dispatch_order_no: str
    status: str = Field(description="The dispatch order's status")
    parcels: list[ParcelOut]
