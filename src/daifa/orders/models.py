"""Shop orders as the channel sent them, and their lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, JsonDoc, UtcDateTime


class ShopOrder(Base):
    """A buyer's order; `external_id` (the channel's order number) is unique per shop."""

    __tablename__ = "shop_orders"
    __table_args__ = (
        UniqueConstraint("shop_pk", "external_id"),
        Index("ix_shop_orders_shop_status", "shop_pk", "status", "id"),
        Index("ix_shop_orders_shop_created", "shop_pk", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))
    buyer_name: Mapped[str] = mapped_column(String(80))
    buyer_phone: Mapped[str] = mapped_column(String(20))  # E.164
    province: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))
    address_detail: Mapped[str] = mapped_column(String(255))
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    ship_by: Mapped[datetime] = mapped_column(UtcDateTime)
    quantity: Mapped[int] = mapped_column(Integer)  # units over all lines
    assigned_quantity: Mapped[int] = mapped_column(Integer, default=0)
    # Units the shop cancelled (over all lines): neither with a supplier nor waiting.
    cancelled_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Dispatch orders made for it so far: their sequence numbers are taken from here, with a
    # conditional UPDATE that also serialises concurrent assignments of the same order.
    dispatch_count: Mapped[int] = mapped_column(Integer, default=0)
    total_fen: Mapped[int] = mapped_column(BigInteger)  # Σ quantity × unit_price_fen
    channel: Mapped[str] = mapped_column(String(16))  # api | batch | file
    routing_version: Mapped[int] = mapped_column(Integer, default=0)  # settings version used
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Once the after-sales window has closed, the buyer's name, phone and street address are
    # erased (fulfilment.erasure); the region stays, and a keyed hash of the whole receiver
    # lets reports still tell repeat receivers apart.
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    receiver_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)


class OrderLine(Base):
    """One SKU of an order. `assigned_quantity` units are with suppliers (dispatch lines),
    `cancelled_quantity` were cancelled by the shop; the rest wait for a supplier."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("shop_orders.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    sku_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)  # the shop's sale price
    shop_sku_pk: Mapped[int | None] = mapped_column(ForeignKey("shop_skus.id"), nullable=True)
    assigned_quantity: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Why the units not with a supplier wait (Unassigned code), and the resolver's explanation.
    unassigned_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    routing: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, nullable=True)
