"""What tracking providers sent: each request body as received, and each distinct event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, UtcDateTime


class TrackingRawEvent(Base):
    """One verified webhook request body, stored before anything is done with it."""

    __tablename__ = "tracking_raw_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    new_events: Mapped[int | None] = mapped_column(Integer, nullable=True)


class TrackingEventRow(Base):
    """A parcel's event, kept once: ``event_key`` is the provider's event id or, without one,
    the natural key (carrier, number, status, time)."""

    __tablename__ = "tracking_events"
    __table_args__ = (
        UniqueConstraint("provider", "event_key"),
        Index("ix_tracking_events_parcel", "carrier_code", "tracking_no", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(200))
    event_id: Mapped[str | None] = mapped_column(String(120), nullable=True)
    carrier_code: Mapped[str] = mapped_column(String(16))
    tracking_no: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(24))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    description: Mapped[str] = mapped_column(Text, default="")
    raw_pk: Mapped[int] = mapped_column(ForeignKey("tracking_raw_events.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
