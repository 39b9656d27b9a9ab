"""Webhook endpoints, the events sent to them, one delivery per (event, endpoint), and the
log of every attempt."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, JsonDoc, UtcDateTime


class WebhookEndpoint(Base):
    """A URL of one shop or one supplier (exactly one of the two) that receives events.

    The signing secret is kept as is (it must be, to sign); after a rotation the previous one
    keeps signing beside the new one until ``previous_secret_until``.
    """

    __tablename__ = "webhook_endpoints"
    __table_args__ = (
        CheckConstraint("(shop_pk IS NULL) <> (supplier_pk IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    shop_pk: Mapped[int | None] = mapped_column(ForeignKey("shops.id"), nullable=True,
                                                index=True)
    supplier_pk: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), nullable=True,
                                                    index=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(200), default="")
    event_types: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    secret: Mapped[str] = mapped_column(String(128))
    previous_secret: Mapped[str | None] = mapped_column(String(128), nullable=True)
    previous_secret_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebhookEvent(Base):
    """One event as emitted: the exact JSON body every endpoint gets (and is signed over)."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    type: Mapped[str] = mapped_column(String(80))
    shop_pk: Mapped[int | None] = mapped_column(ForeignKey("shops.id"), nullable=True)
    supplier_pk: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), nullable=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WebhookDelivery(Base):
    """An event on its way to one endpoint: the outbox row the worker works through."""

    __tablename__ = "webhook_deliveries"
    # by status: the metrics count failed and retrying deliveries, a few among many
    __table_args__ = (Index("ix_webhook_deliveries_endpoint", "endpoint_pk", "id"),
                      Index("ix_webhook_deliveries_status", "status"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    event_pk: Mapped[int] = mapped_column(ForeignKey("webhook_events.id"), index=True)
    endpoint_pk: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # all attempts, every round
    failures: Mapped[int] = mapped_column(Integer, default=0)  # in this round (for backoff)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class WebhookAttempt(Base):
    """One try at a delivery: what the endpoint answered, how long it took, or what failed."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_pk: Mapped[int] = mapped_column(ForeignKey("webhook_deliveries.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... across rounds
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    response_excerpt: Mapped[str] = mapped_column(Text, default="")  # at most 1 KB
