"""Parcels (发货): a carrier and tracking number carrying units of one dispatch order's lines.

A tracking number is unique per carrier: one parcel belongs to one dispatch order. Shipped
quantities are also counted on ``dispatch_lines.shipped_quantity`` (the conditional UPDATE that
stops over-shipping); the lines here say which parcel carried them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, UtcDateTime


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("carrier_code", "tracking_no"),
        Index("ix_shipments_supplier_shipped", "supplier_pk", "shipped_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dispatch_order_pk: Mapped[int] = mapped_column(ForeignKey("dispatch_orders.id"), index=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    carrier_code: Mapped[str] = mapped_column(String(16))  # shipping.carriers code
    tracking_no: Mapped[str] = mapped_column(String(40))  # normalised
    # shipping.tracking.TrackingStatus values, kept by the tracking package.
    tracking_status: Mapped[str | None] = mapped_column(String(24), nullable=True)
    tracking_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    shipped_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ShipmentLine(Base):
    """Units of one dispatch line in one parcel; one row per (parcel, line)."""

    __tablename__ = "shipment_lines"
    __table_args__ = (UniqueConstraint("shipment_pk", "dispatch_line_pk"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shipment_pk: Mapped[int] = mapped_column(ForeignKey("shipments.id"))
    dispatch_line_pk: Mapped[int] = mapped_column(ForeignKey("dispatch_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)


class TrackingCorrection(Base):
    """A tracking number (or carrier) changed after shipping, and by whom."""

    __tablename__ = "tracking_corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shipment_pk: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    old_carrier_code: Mapped[str] = mapped_column(String(16))
    old_tracking_no: Mapped[str] = mapped_column(String(40))
    new_carrier_code: Mapped[str] = mapped_column(String(16))
    new_tracking_no: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
