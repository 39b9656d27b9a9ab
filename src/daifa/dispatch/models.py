"""Dispatch orders (代发单): the part of a shop order one supplier ships, and their lines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, JsonDoc, UtcDateTime


class DispatchOrder(Base):
    __tablename__ = "dispatch_orders"
    __table_args__ = (
        Index("ix_dispatch_orders_supplier", "supplier_pk", "id"),
        Index("ix_dispatch_orders_supplier_status", "supplier_pk", "status", "id"),
        Index("ix_dispatch_orders_shop_supplier_status", "shop_pk", "supplier_pk", "status"),
        Index("ix_dispatch_orders_status_accept_by", "status", "accept_by"),
        Index("ix_dispatch_orders_status_ship_by", "status", "ship_by"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # "DO" + yymmdd + the shop order's row id (8+ digits) + its sequence within the order (2).
    dispatch_order_no: Mapped[str] = mapped_column(String(32), unique=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("shop_orders.id"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the shop order
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    status: Mapped[str] = mapped_column(String(24))
    ship_by: Mapped[datetime] = mapped_column(UtcDateTime)
    accept_by: Mapped[datetime] = mapped_column(UtcDateTime)
    supply_total_fen: Mapped[int] = mapped_column(BigInteger)  # Σ quantity × supply_price_fen
    reassigned_from_pk: Mapped[int | None] = mapped_column(ForeignKey("dispatch_orders.id"),
                                                           nullable=True)
    # What it ships: the shop order's units ("order"), or a replacement an after-sales case
    # asked for ("reship", "exchange"), which the shop order's own units and status ignore.
    purpose: Mapped[str] = mapped_column(String(16), default="order", server_default="order")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Lifecycle (dispatch/lifecycle.py). A hold is a reason beside the status
    # (states.HoldReason), placed by "shop" or "supplier"; shipping is refused while it is set.
    hold_reason: Mapped[str | None] = mapped_column(String(24), nullable=True)
    held_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    held_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # Not all shipped by ship_by (set by the deadline sweep or by a late shipment); for ratings.
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)  # all of it
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reject_reason: Mapped[str | None] = mapped_column(String(24), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(255), nullable=True)
    cancel_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    # When it was rejected, expired or cancelled.
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class DispatchLine(Base):
    """Units of one order line that one supplier ships, at the supply price of the day."""

    __tablename__ = "dispatch_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dispatch_order_pk: Mapped[int] = mapped_column(ForeignKey("dispatch_orders.id"), index=True)
    line_pk: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    supply_sku_pk: Mapped[int] = mapped_column(ForeignKey("supply_skus.id"))
    sku_code: Mapped[str] = mapped_column(String(64))  # the shop's SKU code
    supplier_sku_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    supply_price_fen: Mapped[int] = mapped_column(BigInteger)  # unit price, tier applied
    reason: Mapped[str] = mapped_column(String(16))  # routing Reason
    # The resolver's explanation (basis, skipped with why, backups as Supplier IDs) ...
    routing: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    # ... and the backups still to try as supplier row ids, for rerouting on reject.
    backup_pks: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    stock_reserved: Mapped[bool] = mapped_column(Boolean, default=False)  # release on cancel
    shipped_quantity: Mapped[int] = mapped_column(Integer, default=0)
    # Shipped units claimed by after-sales cases not withdrawn (conditional UPDATE: never more
    # than shipped, however many cases open at once).
    claimed_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Units the shop asked to cancel (a cancel of the shop order's units): cancelled on the
    # order line when the dispatch order is cancelled, the rest go back to the shop's queue;
    # 0 again when the supplier refuses the request.
    cancel_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RecipientReveal(Base):
    """One look at a dispatch order's full recipient (API, label, bulk labels): who, when, why."""

    __tablename__ = "recipient_reveals"
    __table_args__ = (Index("ix_recipient_reveals_supplier_at", "supplier_pk", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dispatch_order_pk: Mapped[int] = mapped_column(ForeignKey("dispatch_orders.id"), index=True)
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    actor: Mapped[str] = mapped_column(String(80))
    actor_account_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    purpose: Mapped[str] = mapped_column(String(16))  # label | contact | other
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class RecipientRevealDay(Base):
    """Reveals per supplier per (local) day, counted with a conditional UPDATE so that
    concurrent reveals never pass the daily limit."""

    __tablename__ = "recipient_reveal_days"

    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
