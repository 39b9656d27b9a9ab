"""Demo catalog, dispatch rules and orders on top of the demo shop and its suppliers.

Idempotent like the rest of the demo: products are found by code, rules are set to the same
values, and orders are keyed by external_id, so a second run creates nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from daifa.catalog import service as supply
from daifa.catalog import shop_catalog
from daifa.catalog.schemas import (
    PriceTier,
    ShopProductIn,
    ShopSkuIn,
    SourceIn,
    SupplyProductIn,
    SupplySkuIn,
)
from daifa.context import Ctx
from daifa.fulfilment import ingest
from daifa.orders.schemas import AddressIn, BuyerIn, LineIn, OrderIn
from daifa.routing import settings as dispatch_settings
from daifa.routing.schemas import DispatchRuleIn, DispatchSettingsIn
from daifa.routing.states import DispatchMode, RuleKind
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

TEE_SKUS = [("WHT-M", "白色/M"), ("WHT-L", "白色/L"), ("BLK-M", "黑色/M"), ("BLK-L", "黑色/L")]
BUYERS = [
    ("张伟", "13912345678", "浙江省", "杭州市", "西湖区", "文三路 90 号 1 幢 101 室"),
    ("王芳", "13687654321", "广东省", "深圳市", "南山区", "科技园南区 8 栋 1203"),
    ("李娜", "15011112222", "北京市", "北京市", "朝阳区", "望京街道 阜通东大街 6 号"),
    ("刘洋", "18622223333", "四川省", "成都市", "武侯区", "天府大道北段 1700 号"),
    ("陈静", "13533334444", "江苏省", "南京市", "鼓楼区", "中山北路 200 号"),
    ("杨磊", "17744445555", "上海市", "上海市", "浦东新区", "世纪大道 100 号"),
]


PREFIXES = {"浙江省 杭州市": ("HZ", 2500), "浙江省 宁波市": ("NB", 2300)}


def supply_catalog(ctx: Ctx, supplier: Supplier) -> None:
    """The supplier's own products, published as the supplier (prefix by its region)."""
    prefix, price_fen = PREFIXES[supplier.region]
    if supply.find_product(ctx, supplier, f"{prefix}-TEE") is not None:
        return
    supply.create_product(ctx, supplier, SupplyProductIn(
        spu_code=f"{prefix}-TEE", title="纯棉圆领T恤", ship_from_region=supplier.region,
        handling_hours=24,
        skus=[SupplySkuIn(sku_code=f"{prefix}-TEE-{code}", supply_price_fen=price_fen,
                          spec=spec, stock=500,
                          price_tiers=[PriceTier(min_quantity=10, price_fen=price_fen - 200)])
              for code, spec in TEE_SKUS]))
    supply.create_product(ctx, supplier, SupplyProductIn(
        spu_code=f"{prefix}-CUP", title="304不锈钢保温杯 500ml", ship_from_region=supplier.region,
        skus=[SupplySkuIn(sku_code=f"{prefix}-CUP-500", supply_price_fen=price_fen + 1500,
                          stock=200)]))


def _shop_catalog(ctx: Ctx, shop: Shop, first: Supplier, backup: Supplier) -> None:
    if shop_catalog.find_product(ctx, shop, "TEE") is None:
        shop_catalog.create_product(ctx, shop, ShopProductIn(
            spu_code="TEE", title="纯棉圆领T恤",
            skus=[ShopSkuIn(sku_code=f"TEE-{code}", price_fen=5900, spec=spec, sources=[
                SourceIn(supplier_id=first.supplier_id, sku_code=f"HZ-TEE-{code}"),
                SourceIn(supplier_id=backup.supplier_id, sku_code=f"NB-TEE-{code}")])
                  for code, spec in TEE_SKUS]))
    if shop_catalog.find_product(ctx, shop, "CUP") is None:
        shop_catalog.create_product(ctx, shop, ShopProductIn(
            spu_code="CUP", title="保温杯 500ml",
            skus=[ShopSkuIn(sku_code="CUP-500", price_fen=8900, sources=[
                SourceIn(supplier_id=first.supplier_id, sku_code="HZ-CUP-500")])]))


def _rules(ctx: Ctx, shop: Shop, first: Supplier, backup: Supplier) -> None:
    dispatch_settings.put_settings(ctx, shop, DispatchSettingsIn(
        mode=DispatchMode.BY_PRODUCT, default_supplier_id=first.supplier_id,
        fallback_to_default=True))
    dispatch_settings.put_rule(ctx, shop, RuleKind.PRODUCT, "TEE", DispatchRuleIn(
        supplier_ids=[first.supplier_id, backup.supplier_id]))
    # Black large sells out at the first supplier: the second ships it first.
    dispatch_settings.put_rule(ctx, shop, RuleKind.SKU, "TEE-BLK-L", DispatchRuleIn(
        supplier_ids=[backup.supplier_id, first.supplier_id]))


def _orders(ctx: Ctx) -> list[OrderIn]:
    orders = []
    lines = [[("TEE-WHT-M", 2)], [("TEE-BLK-L", 1), ("CUP-500", 1)], [("TEE-BLK-M", 3)],
             [("CUP-500", 2)], [("TEE-WHT-L", 1), ("TEE-BLK-L", 2)], [("GIFT-CARD", 1)]]
    for n, (buyer, items) in enumerate(zip(BUYERS, lines, strict=True), start=1):
        name, phone, province, city, district, detail = buyer
        orders.append(OrderIn(
            external_id=f"372145678901234{n:04d}",
            buyer=BuyerIn(name=name, phone=phone, address=AddressIn(
                province=province, city=city, district=district, detail=detail)),
            lines=[LineIn(sku_code=sku, quantity=qty,
                          unit_price_fen=8900 if sku.startswith("CUP") else 5900)
                   for sku, qty in items],
            paid_at=ctx.now() - timedelta(hours=n)))
    return orders


def seed(ctx: Ctx, shop: Shop, first: Supplier, backup: Supplier) -> Iterator[str]:
    _shop_catalog(ctx, shop, first, backup)
    _rules(ctx, shop, first, backup)
    outcomes = ingest.ingest(ctx, shop, _orders(ctx), channel="demo")
    created = sum(1 for outcome in outcomes if outcome.created)
    yield f"catalog: 2 products per supplier, 2 in the shop; {created} new demo orders"
