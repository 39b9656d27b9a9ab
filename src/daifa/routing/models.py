"""A shop's dispatch settings (one row per shop) and its product/SKU dispatch rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, JsonDoc, UtcDateTime
from daifa.routing.states import DispatchMode

DEFAULT_SHIP_BY_HOURS = 48


class DispatchSettings(Base):
    __tablename__ = "dispatch_settings"

    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"), primary_key=True,
                                         autoincrement=False)
    mode: Mapped[str] = mapped_column(String(16), default=DispatchMode.MANUAL.value)
    default_supplier_pk: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"),
                                                            nullable=True)
    fallback_to_default: Mapped[bool] = mapped_column(Boolean, default=False)
    ship_by_hours: Mapped[int] = mapped_column(Integer, default=DEFAULT_SHIP_BY_HOURS)
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped on every change
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DispatchRule(Base):
    """Product (SPU) or SKU → suppliers in order: the first choice, then backups."""

    __tablename__ = "dispatch_rules"
    __table_args__ = (UniqueConstraint("shop_pk", "kind", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    kind: Mapped[str] = mapped_column(String(8))  # RuleKind
    key: Mapped[str] = mapped_column(String(64))  # spu_code or sku_code
    supplier_pks: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
