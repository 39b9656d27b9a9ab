"""Webhook endpoints and deliveries as the API shows them. A secret is shown once: when it is
made (registration, rotation); afterwards only its last four characters."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from daifa.kit.inputs import Flag, Key

EventTypes = Field(default_factory=lambda: ["*"], min_length=1, max_length=50,
                   description='"*" for every event, exact types such as '
                               '"dispatch_order.shipped", or "dispatch_order.*"',
                   examples=[["*"]])


class EndpointIn(BaseModel):
    url: str = Field(min_length=1, max_length=2048, examples=["https://example.com/hooks/daifa"])
    secret: str | None = Field(default=None, min_length=16, max_length=128,
                               description="Generated when absent; shown once")
    event_types: list[Key] = EventTypes
    description: str | None = Field(default=None, max_length=200)
    enabled: Flag = True


class EndpointPatch(BaseModel):
    url: str | None = Field(default=None, min_length=1, max_length=2048)
    event_types: list[Key] | None = Field(default=None, min_length=1, max_length=50)
    description: str | None = Field(default=None, max_length=200)
    enabled: Flag | None = None


class EndpointOut(BaseModel):
    id: str
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    secret_hint: str = Field(examples=["…x3Fq"])
    previous_secret_valid_until: datetime | None = Field(
        default=None, description="After a rotation, deliveries carry a signature with the "
                                  "previous secret too until then")
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="Shown only now: keep it to verify Daifa-Signature")


class EndpointList(BaseModel):
    items: list[EndpointOut]


class SecretRotated(BaseModel):
    id: str
    secret: str = Field(description="The new secret, shown only now")
    previous_secret_valid_until: datetime


class AttemptOut(BaseModel):
    number: int
    at: datetime
    succeeded: bool
    status_code: int | None
    duration_ms: int
    error: str | None
    response_excerpt: str = Field(description="At most the first 1 KB of the response body")


class DeliveryOut(BaseModel):
    id: str = Field(description="Sent as the Daifa-Delivery header")
    endpoint_id: str
    event_id: str = Field(description="The body's id; the same for every delivery of an event")
    event_type: str
    status: str = Field(examples=["pending", "succeeded", "failed"])
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None
    log: list[AttemptOut] = Field(default_factory=list, description="Every attempt, oldest first")


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
    next_cursor: str | None = None
