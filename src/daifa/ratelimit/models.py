from __future__ import annotations

from sqlalchemy import Boolean, Double, String
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base


class RateLimitBucket(Base):
    """One tenant's token bucket, for deployments that keep them in the database (several
    processes, no Redis). A row missing is a full bucket."""

    __tablename__ = "rate_limit_buckets"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    tokens: Mapped[float] = mapped_column(Double)
    # Seconds since the epoch (the hub's clock): plain arithmetic in one UPSERT on SQLite and
    # PostgreSQL alike, which timestamps are not.
    stamp: Mapped[float] = mapped_column(Double)
    # Whether the last request passed: the UPSERT's RETURNING sees only the new row, and the
    # tokens left alone cannot tell a refusal from a pass that emptied the bucket.
    allowed: Mapped[bool] = mapped_column(Boolean)
