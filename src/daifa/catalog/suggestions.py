"""The mapping helper: propose supplier SKUs for shop SKUs that lack a source from them."""

from __future__ import annotations

from sqlalchemy import select

from daifa.catalog import rules
from daifa.catalog.models import ShopProduct, ShopSku, ShopSkuSource, SupplyProduct, SupplySku
from daifa.catalog.partners import bound_supplier
from daifa.catalog.schemas import MappingSuggestion
from daifa.context import Ctx
from daifa.shops.models import Shop


def mapping_suggestions(ctx: Ctx, shop: Shop, supplier_ref: str) -> list[MappingSuggestion]:
    supplier = bound_supplier(ctx, shop, supplier_ref)
    shop_rows = ctx.session.execute(
        select(ShopProduct.spu_code, ShopSku.sku_code, ShopSku.spec, ShopSku.position)
        .join(ShopProduct, ShopProduct.id == ShopSku.product_pk)
        .where(ShopSku.shop_pk == shop.id, ShopSku.active.is_(True),
               ShopProduct.active.is_(True))
    )
    shop_skus = [rules.SkuFacts(spu, sku, spec, pos) for spu, sku, spec, pos in shop_rows]
    mapped = set(ctx.session.scalars(
        select(ShopSku.sku_code).join(ShopSkuSource, ShopSkuSource.shop_sku_pk == ShopSku.id)
        .where(ShopSku.shop_pk == shop.id, ShopSkuSource.supplier_pk == supplier.id)
    ))
    supply_rows = ctx.session.execute(
        select(SupplyProduct.spu_code, SupplySku.sku_code, SupplySku.spec, SupplySku.position,
               SupplySku.supply_price_fen)
        .join(SupplyProduct, SupplyProduct.id == SupplySku.product_pk)
        .where(SupplySku.supplier_pk == supplier.id, SupplySku.active.is_(True),
               SupplyProduct.active.is_(True))
    ).all()
    prices = {row[1]: row[4] for row in supply_rows}
    supply_skus = [rules.SkuFacts(spu, sku, spec, pos) for spu, sku, spec, pos, _ in supply_rows]
    return [
        MappingSuggestion(spu_code=m.shop_sku.spu_code, sku_code=m.shop_sku.sku_code,
                          supplier_id=supplier.supplier_id,
                          supplier_spu_code=m.supplier_sku.spu_code,
                          supplier_sku_code=m.supplier_sku.sku_code,
                          supply_price_fen=prices[m.supplier_sku.sku_code],
                          match=m.match)
        for m in rules.suggest_mappings(shop_skus, supply_skus, mapped)
    ]
