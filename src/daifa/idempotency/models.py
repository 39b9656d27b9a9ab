"""One row per (caller, method, path, Idempotency-Key): the claim, then the first response."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, UtcDateTime


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("caller", "method", "path", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    caller: Mapped[str] = mapped_column(String(80))  # scope:account:org of the actor
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(255))  # sealing.digest of the client's key
    fingerprint: Mapped[str] = mapped_column(String(64))  # sha256 of the canonical body
    state: Mapped[str] = mapped_column(String(8))  # running | done
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_body: Mapped[str | None] = mapped_column(Text, nullable=True)  # sealed
    locked_until: Mapped[datetime] = mapped_column(UtcDateTime)  # a crashed claim frees itself
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
