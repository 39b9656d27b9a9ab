"""After-sales cases, the units they claim, their evidence files, and suppliers' return
addresses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, JsonDoc, UtcDateTime


class AfterSaleCase(Base):
    """One shop's claim on units one dispatch order shipped (售后单)."""

    __tablename__ = "after_sale_cases"
    __table_args__ = (
        Index("ix_after_sale_cases_shop_status", "shop_pk", "status", "id"),
        Index("ix_after_sale_cases_supplier_status", "supplier_pk", "status", "id"),
        Index("ix_after_sale_cases_status_reply_by", "status", "reply_by"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # "AS" + yymmdd + the row id (8+ digits), filled in right after the insert.
    case_no: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)
    type: Mapped[str] = mapped_column(String(24))  # states.CaseType
    status: Mapped[str] = mapped_column(String(24))  # states.CaseStatus
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    order_pk: Mapped[int] = mapped_column(ForeignKey("shop_orders.id"), index=True)
    dispatch_order_pk: Mapped[int] = mapped_column(ForeignKey("dispatch_orders.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24))  # states.CaseReason
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    refund_fen: Mapped[int] = mapped_column(BigInteger)  # asked by the shop
    paid_fen: Mapped[int] = mapped_column(BigInteger)  # what the buyer paid for the units
    exchange_sku_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reply_by: Mapped[datetime] = mapped_column(UtcDateTime)
    return_address: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc, nullable=True)
    return_by: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    return_carrier_code: Mapped[str | None] = mapped_column(String(16), nullable=True)
    return_tracking_no: Mapped[str | None] = mapped_column(String(40), nullable=True)
    return_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    condition: Mapped[str | None] = mapped_column(String(24), nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reject_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    rejected_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    escalated_by: Mapped[str | None] = mapped_column(String(16), nullable=True)  # shop|supplier
    auto_approved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    replacement_pk: Mapped[int | None] = mapped_column(ForeignKey("dispatch_orders.id"),
                                                       nullable=True)
    liability: Mapped[str | None] = mapped_column(String(16), nullable=True)
    final_refund_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class AfterSaleLine(Base):
    """Units of one dispatch line a case claims."""

    __tablename__ = "after_sale_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("after_sale_cases.id"), index=True)
    dispatch_line_pk: Mapped[int] = mapped_column(ForeignKey("dispatch_lines.id"), index=True)
    line_pk: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    sku_code: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)


class AfterSaleEvidence(Base):
    """A photo or PDF one side added to a case, stored under `evidence_dir` by its digest."""

    __tablename__ = "after_sale_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("after_sale_cases.id"), index=True)
    party: Mapped[str] = mapped_column(String(16))  # shop | supplier
    filename: Mapped[str] = mapped_column(String(120))  # as uploaded, for display
    media_type: Mapped[str] = mapped_column(String(40))  # from the content, not the name
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReturnAddress(Base):
    """Where a supplier takes returns; at most one default per supplier."""

    __tablename__ = "return_addresses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    phone: Mapped[str] = mapped_column(String(20))
    province: Mapped[str] = mapped_column(String(40))
    city: Mapped[str] = mapped_column(String(40))
    district: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(255))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
