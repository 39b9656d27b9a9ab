"""One background import: the file until it is read, then its progress and its report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, JsonDoc, UtcDateTime


class SheetImport(Base):
    __tablename__ = "sheet_imports"
    __table_args__ = (Index("ix_sheet_imports_owner", "owner_scope", "owner_pk"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # orders | products | shipments
    owner_scope: Mapped[str] = mapped_column(String(10))  # shop | supplier
    owner_pk: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(200), default="")
    # The uploaded bytes (an order file holds buyers' names and addresses): dropped as soon as
    # the import ends, done or failed.
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10))  # queued | running | done | failed
    rows_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
