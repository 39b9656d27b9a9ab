"""Supply catalog (a supplier's products) and shop catalog (a shop's products and sources)."""

from __future__ import annotations

from typing import Literal

from fastapi import Depends, File, Query, Response, UploadFile

from daifa.api.deps import Call, reader, writer
from daifa.api.guard import guarded_router
from daifa.api.uploads import QUEUED, Background, land, queue
from daifa.api.v1.common import paging
from daifa.catalog import importer, partners, shop_catalog, suggestions
from daifa.catalog import service as catalog
from daifa.catalog.schemas import (
    ImportResult,
    MappingSuggestionList,
    ShopProductIn,
    ShopProductList,
    ShopProductOut,
    ShopProductPatch,
    ShopSkuIn,
    ShopSkuPatch,
    SourcesIn,
    SupplyProductIn,
    SupplyProductList,
    SupplyProductOut,
    SupplyProductPatch,
    SupplySkuIn,
    SupplySkuPatch,
)
from daifa.context import Ctx
from daifa.shops import service as shops
from daifa.suppliers import service as suppliers
from daifa.suppliers.models import Supplier

router = guarded_router(tags=["catalog"])
Limit = Query(default=None, ge=1, le=200)
Search = Query(default=None, max_length=64, description="Part of a product code, SKU code or "
                                                         "title")
SUPPLY = "/suppliers/{supplier_id}/products"
SHOP = "/shops/{shop_id}/products"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- supply catalog ----------------------------------------------------------------------

def _supply_out(ctx: Ctx, supplier: Supplier, spu_code: str) -> SupplyProductOut:
    return catalog.product_out(ctx, supplier, catalog.get_product(ctx, supplier, spu_code))


@router.post(SUPPLY, status_code=201, response_model=SupplyProductOut)
def publish(supplier_id: str, body: SupplyProductIn,
            call: Call = Depends(writer)) -> SupplyProductOut:
    """Publish a product (SPU) with its SKUs; a taken spu_code is 409 PRODUCT_EXISTS."""
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        return catalog.product_out(ctx, supplier, catalog.create_product(ctx, supplier, body))


@router.get(SUPPLY, response_model=SupplyProductList)
def supply_products(supplier_id: str, q: str | None = Search, active: bool | None = None,
                    cursor: str | None = None, limit: int | None = Limit,
                    call: Call = Depends(reader)) -> SupplyProductList:
    after, size = paging(cursor, limit)
    with call.ctx() as ctx:
        page = catalog.list_products(ctx, suppliers.owned(ctx, supplier_id), q=q, active=active,
                                     after=after, limit=size)
        return SupplyProductList(items=page.items, next_cursor=page.next_cursor())


@router.post(SUPPLY + ":import", response_model=ImportResult, responses=QUEUED)
def import_products(supplier_id: str, file: UploadFile = File(...), dry_run: bool = False,
                    background: bool = Background,
                    call: Call = Depends(writer)) -> ImportResult | Response:
    """CSV (UTF-8, UTF-8 with BOM, UTF-16, GB18030), XLSX or XLS with columns spu_code, title,
    sku_code,
    supply_price_fen or supply_price (yuan), stock, ship_from_region, spec, handling_hours;
    Chinese headers (商品编码, 商品名称, SKU编码, 供货价, 库存, 发货地, 规格) work too. Good rows
    land, bad rows are reported; importing the same file again changes nothing."""
    def owner(ctx: Ctx) -> Supplier:
        return suppliers.owned(ctx, supplier_id)

    if background:
        return queue(call, importer.PRODUCTS, owner, file, dry_run=dry_run,
                     path=f"/api/v1/suppliers/{supplier_id}/imports")
    return land(call, importer.PRODUCTS, owner, file, dry_run=dry_run)


@router.get("/catalog/import-template", response_class=Response,
            responses={200: {"content": {"text/csv": {}, XLSX: {}}}})
def import_template(format: Literal["csv", "xlsx"] = "csv",
                    lang: Literal["zh", "en"] = "zh") -> Response:
    """A file to fill in for products:import: the header row and one example row."""
    if format == "xlsx":
        return Response(importer.PRODUCTS.template_xlsx(lang), media_type=XLSX, headers={
            "Content-Disposition": 'attachment; filename="products-template.xlsx"'})
    return Response(importer.PRODUCTS.template_csv(lang), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="products-template.csv"'})


@router.get(SUPPLY + "/{spu_code}", response_model=SupplyProductOut)
def supply_product(supplier_id: str, spu_code: str,
                   call: Call = Depends(reader)) -> SupplyProductOut:
    with call.ctx() as ctx:
        return _supply_out(ctx, suppliers.owned(ctx, supplier_id), spu_code)


@router.patch(SUPPLY + "/{spu_code}", response_model=SupplyProductOut)
def edit_supply_product(supplier_id: str, spu_code: str, body: SupplyProductPatch,
                        call: Call = Depends(writer)) -> SupplyProductOut:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        catalog.update_product(ctx, supplier, spu_code, body)
        return _supply_out(ctx, supplier, spu_code)


def _set_supply_product_active(call: Call, supplier_id: str, spu_code: str,
                               active: bool) -> SupplyProductOut:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        catalog.update_product(ctx, supplier, spu_code, SupplyProductPatch(active=active))
        return _supply_out(ctx, supplier, spu_code)


@router.post(SUPPLY + "/{spu_code}/deactivate", response_model=SupplyProductOut)
def deactivate_supply_product(supplier_id: str, spu_code: str,
                              call: Call = Depends(writer)) -> SupplyProductOut:
    """Stop offering the product: no new mappings or orders reach its SKUs."""
    return _set_supply_product_active(call, supplier_id, spu_code, False)


@router.post(SUPPLY + "/{spu_code}/activate", response_model=SupplyProductOut)
def activate_supply_product(supplier_id: str, spu_code: str,
                            call: Call = Depends(writer)) -> SupplyProductOut:
    return _set_supply_product_active(call, supplier_id, spu_code, True)


@router.post(SUPPLY + "/{spu_code}/skus", status_code=201, response_model=SupplyProductOut)
def add_supply_sku(supplier_id: str, spu_code: str, body: SupplySkuIn,
                   call: Call = Depends(writer)) -> SupplyProductOut:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        catalog.add_sku(ctx, supplier, spu_code, body)
        return _supply_out(ctx, supplier, spu_code)


@router.patch(SUPPLY + "/{spu_code}/skus/{sku_code}", response_model=SupplyProductOut)
def edit_supply_sku(supplier_id: str, spu_code: str, sku_code: str, body: SupplySkuPatch,
                    call: Call = Depends(writer)) -> SupplyProductOut:
    """Price, tiers, stock (`null` stops tracking), attributes, active."""
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        catalog.update_sku(ctx, supplier, spu_code, sku_code, body)
        return _supply_out(ctx, supplier, spu_code)


def _set_supply_sku_active(call: Call, supplier_id: str, spu_code: str, sku_code: str,
                           active: bool) -> SupplyProductOut:
    with call.ctx() as ctx:
        supplier = suppliers.owned(ctx, supplier_id)
        catalog.update_sku(ctx, supplier, spu_code, sku_code, SupplySkuPatch(active=active))
        return _supply_out(ctx, supplier, spu_code)


@router.post(SUPPLY + "/{spu_code}/skus/{sku_code}/deactivate", response_model=SupplyProductOut)
def deactivate_supply_sku(supplier_id: str, spu_code: str, sku_code: str,
                          call: Call = Depends(writer)) -> SupplyProductOut:
    return _set_supply_sku_active(call, supplier_id, spu_code, sku_code, False)


@router.post(SUPPLY + "/{spu_code}/skus/{sku_code}/activate", response_model=SupplyProductOut)
def activate_supply_sku(supplier_id: str, spu_code: str, sku_code: str,
                        call: Call = Depends(writer)) -> SupplyProductOut:
    return _set_supply_sku_active(call, supplier_id, spu_code, sku_code, True)


# --- shop catalog ------------------------------------------------------------------------

def _shop_out(ctx: Ctx, shop_id: str, spu_code: str) -> ShopProductOut:
    shop = shops.owned(ctx, shop_id)
    return shop_catalog.product_out(ctx, shop, shop_catalog.get_product(ctx, shop, spu_code))


@router.post(SHOP, status_code=201, response_model=ShopProductOut)
def list_product(shop_id: str, body: ShopProductIn,
                 call: Call = Depends(writer)) -> ShopProductOut:
    """List a product; each SKU's `sources` name a bound supplier and its SKU that fulfils it."""
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        return shop_catalog.product_out(ctx, shop, shop_catalog.create_product(ctx, shop, body))


@router.get(SHOP, response_model=ShopProductList)
def shop_products(shop_id: str, q: str | None = Search, active: bool | None = None,
                  cursor: str | None = None, limit: int | None = Limit,
                  call: Call = Depends(reader)) -> ShopProductList:
    after, size = paging(cursor, limit)
    with call.ctx() as ctx:
        page = shop_catalog.list_products(ctx, shops.owned(ctx, shop_id), q=q, active=active,
                                          after=after, limit=size)
        return ShopProductList(items=page.items, next_cursor=page.next_cursor())


@router.get("/shops/{shop_id}/mapping-suggestions", response_model=MappingSuggestionList)
def mapping_suggestions(shop_id: str,
                        supplier_id: str = Query(min_length=1, max_length=40),
                        call: Call = Depends(reader)) -> MappingSuggestionList:
    """Proposed sources from one bound supplier for shop SKUs that have none from it: by
    identical SKU code, else by identical product code and attributes or position. Confirm one
    with PUT .../skus/{sku_code}/sources."""
    with call.ctx() as ctx:
        shop = shops.owned(ctx, shop_id)
        return MappingSuggestionList(
            items=suggestions.mapping_suggestions(ctx, shop, supplier_id))


# The suggestions' first address sat among the products, where it hid a product whose code is
# "mapping-suggestions". It still answers for old clients, but only when asked with
# `?supplier_id=` (a product read takes no query); without it, it is that product.
@router.get(SHOP + "/mapping-suggestions", response_model=None, include_in_schema=False)
def old_mapping_suggestions(shop_id: str, supplier_id: str | None = Query(None, max_length=40),
                            call: Call = Depends(reader)
                            ) -> MappingSuggestionList | ShopProductOut:
    if supplier_id is None:
        return shop_product(shop_id, "mapping-suggestions", call)
    return mapping_suggestions(shop_id, supplier_id, call)


@router.get("/shops/{shop_id}/supplier-products", response_model=SupplyProductList)
def bound_supplier_products(shop_id: str,
                            supplier_id: str = Query(min_length=1, max_length=40),
                            q: str | None = Search, cursor: str | None = None,
                            limit: int | None = Limit,
                            call: Call = Depends(reader)) -> SupplyProductList:
    """A bound supplier's active products, to pick the SKUs that fulfil the shop's SKUs."""
    after, size = paging(cursor, limit)
    with call.ctx() as ctx:
        supplier = partners.bound_supplier(ctx, shops.owned(ctx, shop_id), supplier_id)
        page = catalog.list_products(ctx, supplier, q=q, active=True, after=after, limit=size)
        return SupplyProductList(items=page.items, next_cursor=page.next_cursor())


@router.get(SHOP + "/{spu_code}", response_model=ShopProductOut)
def shop_product(shop_id: str, spu_code: str, call: Call = Depends(reader)) -> ShopProductOut:
    with call.ctx() as ctx:
        return _shop_out(ctx, shop_id, spu_code)


@router.patch(SHOP + "/{spu_code}", response_model=ShopProductOut)
def edit_shop_product(shop_id: str, spu_code: str, body: ShopProductPatch,
                      call: Call = Depends(writer)) -> ShopProductOut:
    with call.ctx() as ctx:
        shop_catalog.update_product(ctx, shops.owned(ctx, shop_id), spu_code, body)
        return _shop_out(ctx, shop_id, spu_code)


@router.post(SHOP + "/{spu_code}/deactivate", response_model=ShopProductOut)
def deactivate_shop_product(shop_id: str, spu_code: str,
                            call: Call = Depends(writer)) -> ShopProductOut:
    with call.ctx() as ctx:
        shop_catalog.update_product(ctx, shops.owned(ctx, shop_id), spu_code,
                                    ShopProductPatch(active=False))
        return _shop_out(ctx, shop_id, spu_code)


@router.post(SHOP + "/{spu_code}/activate", response_model=ShopProductOut)
def activate_shop_product(shop_id: str, spu_code: str,
                          call: Call = Depends(writer)) -> ShopProductOut:
    with call.ctx() as ctx:
        shop_catalog.update_product(ctx, shops.owned(ctx, shop_id), spu_code,
                                    ShopProductPatch(active=True))
        return _shop_out(ctx, shop_id, spu_code)


@router.post(SHOP + "/{spu_code}/skus", status_code=201, response_model=ShopProductOut)
def add_shop_sku(shop_id: str, spu_code: str, body: ShopSkuIn,
                 call: Call = Depends(writer)) -> ShopProductOut:
    with call.ctx() as ctx:
        shop_catalog.add_sku(ctx, shops.owned(ctx, shop_id), spu_code, body)
        return _shop_out(ctx, shop_id, spu_code)


@router.patch(SHOP + "/{spu_code}/skus/{sku_code}", response_model=ShopProductOut)
def edit_shop_sku(shop_id: str, spu_code: str, sku_code: str, body: ShopSkuPatch,
                  call: Call = Depends(writer)) -> ShopProductOut:
    """Sale price, attributes, active."""
    with call.ctx() as ctx:
        shop_catalog.update_sku(ctx, shops.owned(ctx, shop_id), spu_code, sku_code, body)
        return _shop_out(ctx, shop_id, spu_code)


@router.put(SHOP + "/{spu_code}/skus/{sku_code}/sources", response_model=ShopProductOut)
def set_sources(shop_id: str, spu_code: str, sku_code: str, body: SourcesIn,
                call: Call = Depends(writer)) -> ShopProductOut:
    """Replace the SKU's sources: per bound supplier, the supplier SKU that fulfils it."""
    with call.ctx() as ctx:
        shop_catalog.replace_sources(ctx, shops.owned(ctx, shop_id), spu_code, sku_code,
                                     body.sources)
        return _shop_out(ctx, shop_id, spu_code)
