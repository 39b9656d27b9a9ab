"""Pydantic in/out models of the supply catalog, the shop catalog and imports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from daifa.catalog.rules import MatchKind
from daifa.kit.inputs import SPACE, Flag, Int
from daifa.sheets.importer import RowErrorOut

# Codes travel in URL paths, so no slashes, whitespace or URL-special characters.
CODE_PATTERN = rf"^[^{SPACE}/\\?#%]+$"
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=CODE_PATTERN,
                            examples=["TEE-RED-XL"])]
Fen = Annotated[Int, Field(ge=0, le=10**12, description="Money in fen (1 yuan = 100 fen)")]


class PriceTier(BaseModel):
    min_quantity: Int = Field(ge=2, le=1_000_000)
    price_fen: Fen


class SupplySkuIn(BaseModel):
    sku_code: Code
    supply_price_fen: Fen
    stock: Int | None = Field(default=None, ge=0, le=10**9,
                              description="Units on hand; leave out when not tracked")
    price_tiers: list[PriceTier] = Field(
        default_factory=list, max_length=10,
        description="Quantity-tiered prices (阶梯价): min_quantity ≥ 2, strictly increasing")
    spec: str = Field(default="", max_length=120, description="Attributes, e.g. 红色/XL")


class SupplyProductIn(BaseModel):
    spu_code: Code
    title: str = Field(min_length=1, max_length=200)
    ship_from_region: str = Field(default="", max_length=80, examples=["浙江省 杭州市"])
    handling_hours: Int = Field(default=48, ge=0, le=720,
                                description="Hours from acceptance to hand-over to the carrier")
    skus: list[SupplySkuIn] = Field(min_length=1, max_length=200)


class SupplyProductPatch(BaseModel):
    """Fields left out stay as they are."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    ship_from_region: str | None = Field(default=None, max_length=80)
    handling_hours: Int | None = Field(default=None, ge=0, le=720)
    active: Flag | None = None


class SupplySkuPatch(BaseModel):
    """Fields left out stay as they are; `stock: null` stops tracking stock."""

    supply_price_fen: Fen | None = None
    stock: Int | None = Field(default=None, ge=0, le=10**9)
    price_tiers: list[PriceTier] | None = Field(default=None, max_length=10)
    spec: str | None = Field(default=None, max_length=120)
    active: Flag | None = None


class SupplySkuOut(BaseModel):
    sku_code: str
    spec: str
    position: int
    supply_price_fen: int
    price_tiers: list[PriceTier]
    stock: int | None
    active: bool
    updated_at: datetime


class SupplyProductOut(BaseModel):
    supplier_id: str
    spu_code: str
    title: str
    ship_from_region: str
    handling_hours: int
    active: bool
    created_at: datetime
    updated_at: datetime
    skus: list[SupplySkuOut]


class SupplyProductList(BaseModel):
    items: list[SupplyProductOut]
    next_cursor: str | None = None


# --- shop catalog ----------------------------------------------------------------------

class SourceIn(BaseModel):
    supplier_id: str = Field(min_length=1, max_length=40, examples=["SP3K7QXMD"])
    sku_code: Code = Field(description="The supplier's SKU code")


class ShopSkuIn(BaseModel):
    sku_code: Code
    price_fen: Fen = Field(description="The shop's sale price; never shown to suppliers")
    spec: str = Field(default="", max_length=120)
    sources: list[SourceIn] = Field(default_factory=list, max_length=20)


class ShopProductIn(BaseModel):
    spu_code: Code
    title: str = Field(min_length=1, max_length=200)
    skus: list[ShopSkuIn] = Field(min_length=1, max_length=200)


class ShopProductPatch(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    active: Flag | None = None


class ShopSkuPatch(BaseModel):
    price_fen: Fen | None = None
    spec: str | None = Field(default=None, max_length=120)
    active: Flag | None = None


class SourcesIn(BaseModel):
    """The whole list of sources of one shop SKU; [] removes them all."""

    sources: list[SourceIn] = Field(max_length=20)


class SourceOut(BaseModel):
    supplier_id: str
    supplier_name: str
    sku_code: str = Field(description="The supplier's SKU code")
    supply_price_fen: int
    available: bool = Field(description="The supplier's SKU and product are active")


class ShopSkuOut(BaseModel):
    sku_code: str
    spec: str
    position: int
    price_fen: int
    active: bool
    sources: list[SourceOut]


class ShopProductOut(BaseModel):
    shop_id: str
    spu_code: str
    title: str
    active: bool
    created_at: datetime
    updated_at: datetime
    skus: list[ShopSkuOut]


class ShopProductList(BaseModel):
    items: list[ShopProductOut]
    next_cursor: str | None = None


class MappingSuggestion(BaseModel):
    spu_code: str
    sku_code: str
    supplier_id: str
    supplier_spu_code: str
    supplier_sku_code: str
    supply_price_fen: int
    match: MatchKind = Field(description="identical SKU code; same product code and attributes; "
                                         "or same product code and position")


class MappingSuggestionList(BaseModel):
    items: list[MappingSuggestion]


# --- import ----------------------------------------------------------------------------

RowStatus = Literal["created", "updated", "unchanged", "error"]


class ImportRow(BaseModel):
    row: int = Field(description="The row number in the file; the header is row 1")
    spu_code: str
    sku_code: str
    status: RowStatus
    errors: list[RowErrorOut] = Field(default_factory=list)


class ImportSummary(BaseModel):
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error: int = 0


class ImportResult(BaseModel):
    dry_run: bool
    summary: ImportSummary
    rows: list[ImportRow]

    def rejected(self) -> list[tuple[int, str, list[RowErrorOut]]]:
        return [(row.row, row.sku_code, row.errors) for row in self.rows if row.errors]

    def summary_line(self) -> str:
        s = self.summary
        return (f"{s.created} created, {s.updated} updated, {s.unchanged} unchanged, "
                f"{s.error} rejected")

    def document(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
