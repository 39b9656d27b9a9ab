"""Supply products and SKUs (a supplier's), shop products and SKUs, and the sources between."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from daifa.db.base import Base, BigId, JsonDoc, UtcDateTime

CODE_LEN = 64


class SupplyProduct(Base):
    """A supplier's product (SPU)."""

    __tablename__ = "supply_products"
    __table_args__ = (UniqueConstraint("supplier_pk", "spu_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    spu_code: Mapped[str] = mapped_column(String(CODE_LEN))
    title: Mapped[str] = mapped_column(String(200))
    ship_from_region: Mapped[str] = mapped_column(String(80), default="")
    handling_hours: Mapped[int] = mapped_column(Integer, default=48)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SupplySku(Base):
    """A supplier's SKU: supply price in fen, optional quantity tiers and stock."""

    __tablename__ = "supply_skus"
    __table_args__ = (UniqueConstraint("supplier_pk", "sku_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    product_pk: Mapped[int] = mapped_column(ForeignKey("supply_products.id"), index=True)
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    sku_code: Mapped[str] = mapped_column(String(CODE_LEN))
    spec: Mapped[str] = mapped_column(String(120), default="")  # attributes, e.g. 红色/XL
    position: Mapped[int] = mapped_column(Integer, default=0)  # order within its product
    supply_price_fen: Mapped[int] = mapped_column(BigInteger)
    # [{min_quantity, price_fen}], sorted by min_quantity; [] when the price is flat.
    price_tiers: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    stock: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: not tracked
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ShopProduct(Base):
    """A product a shop lists (SPU)."""

    __tablename__ = "shop_products"
    __table_args__ = (UniqueConstraint("shop_pk", "spu_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    spu_code: Mapped[str] = mapped_column(String(CODE_LEN))
    title: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ShopSku(Base):
    """A SKU a shop sells, with its sale price (never shown to suppliers)."""

    __tablename__ = "shop_skus"
    __table_args__ = (UniqueConstraint("shop_pk", "sku_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_pk: Mapped[int] = mapped_column(ForeignKey("shops.id"))
    product_pk: Mapped[int] = mapped_column(ForeignKey("shop_products.id"), index=True)
    sku_code: Mapped[str] = mapped_column(String(CODE_LEN))
    spec: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ShopSkuSource(Base):
    """Which SKU of a bound supplier fulfils a shop SKU: at most one per supplier."""

    __tablename__ = "shop_sku_sources"
    __table_args__ = (UniqueConstraint("shop_sku_pk", "supplier_pk"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shop_sku_pk: Mapped[int] = mapped_column(ForeignKey("shop_skus.id"))
    supplier_pk: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    supply_sku_pk: Mapped[int] = mapped_column(ForeignKey("supply_skus.id"), index=True)
