from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, JsonDoc, UtcDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(120))
    actor_account_id: Mapped[int | None] = mapped_column(BigId, nullable=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(60))
    from_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(40), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    # The chain (audit.chain): SHA-256 over the previous row's chain hash and this row's
    # content, written by the sealing sweep; NULL until sealed.
    chain_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AuditSeal(Base):
    """One run of the sealing sweep: the rows after `after_event_id` up to `last_event_id`
    were chained, ending in `head`. The unique `after_event_id` lets one sealer win a race."""

    __tablename__ = "audit_seals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    after_event_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    last_event_id: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(UtcDateTime)
