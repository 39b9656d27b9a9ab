from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, UtcDateTime


class Invitation(Base):
    """A link + QR code a shop hands out; only the token's digest is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    max_uses: Mapped[int] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BindingApplication(Base):
    __tablename__ = "binding_applications"
    __table_args__ = (
        # One open application per pair, whoever races to apply.
        Index("uq_binding_applications_pending_pair", "shop_pk", "supplier_pk", unique=True,
              sqlite_where=text("status = 'pending'"),
              postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    public_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, default=uuid.uuid4)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Binding(Base):
    __tablename__ = "bindings"
    __table_args__ = (
        Index("uq_bindings_active_pair", "shop_pk", "supplier_pk", unique=True,
              sqlite_where=text("status = 'active'"),
              postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), index=True)
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_via: Mapped[str] = mapped_column(String(16))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"),
                                                      nullable=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("binding_applications.id"),
                                                       nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(16), nullable=True)  # shop | supplier
    end_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
