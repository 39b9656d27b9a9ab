"""Source mappings in bulk: confirming the mapping helper's proposals, and which bound
suppliers can fulfil a set of shop SKUs (for manual assignment)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from daifa.audit import service as audit
from daifa.catalog.errors import DuplicateSource
from daifa.catalog.models import ShopProduct, ShopSku, ShopSkuSource, SupplyProduct, SupplySku
from daifa.catalog.partners import bound_supplier
from daifa.catalog.schemas import SourceOut
from daifa.context import Ctx
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

IN_CHUNK = 1000


class Confirmed(BaseModel):
    sku_code: str
    supplier_sku_code: str
    error: str | None = None  # SKU_NOT_FOUND, SUPPLIER_SKU_NOT_FOUND or ALREADY_MAPPED


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), IN_CHUNK):
        yield items[start:start + IN_CHUNK]


def _shop_skus(ctx: Ctx, shop: Shop, codes: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(codes):
        found.update(ctx.session.execute(
            select(ShopSku.sku_code, ShopSku.id)
            .where(ShopSku.shop_pk == shop.id, ShopSku.sku_code.in_(chunk))).all())
    return found


def _supply_skus(ctx: Ctx, supplier: Supplier, codes: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(codes):
        found.update(ctx.session.execute(
            select(SupplySku.sku_code, SupplySku.id)
            .join(SupplyProduct, SupplyProduct.id == SupplySku.product_pk)
            .where(SupplySku.supplier_pk == supplier.id, SupplySku.sku_code.in_(chunk),
                   SupplySku.active.is_(True), SupplyProduct.active.is_(True))).all())
    return found


def _mapped(ctx: Ctx, supplier: Supplier, shop_sku_pks: Sequence[int]) -> set[int]:
    mapped: set[int] = set()
    for start in range(0, len(shop_sku_pks), IN_CHUNK):
        mapped.update(ctx.session.scalars(
            select(ShopSkuSource.shop_sku_pk)
            .where(ShopSkuSource.supplier_pk == supplier.id,
                   ShopSkuSource.shop_sku_pk.in_(shop_sku_pks[start:start + IN_CHUNK]))))
    return mapped


def confirm(ctx: Ctx, shop: Shop, supplier_ref: str,
            picks: Sequence[tuple[str, str]]) -> list[Confirmed]:
    """Add (shop SKU → the supplier's SKU) sources the merchant confirmed, a few queries in
    all. A pick whose shop SKU already has a source from this supplier is left alone."""
    supplier = bound_supplier(ctx, shop, supplier_ref)
    shop_skus = _shop_skus(ctx, shop, (sku for sku, _ in picks))
    supply_skus = _supply_skus(ctx, supplier, (code for _, code in picks))
    mapped = _mapped(ctx, supplier, list(shop_skus.values()))
    results: list[Confirmed] = []
    for sku_code, supplier_code in picks:
        result = Confirmed(sku_code=sku_code, supplier_sku_code=supplier_code)
        shop_sku_pk = shop_skus.get(sku_code)
        if shop_sku_pk is None:
            result.error = "SKU_NOT_FOUND"
        elif supplier_code not in supply_skus:
            result.error = "SUPPLIER_SKU_NOT_FOUND"
        elif shop_sku_pk in mapped:
            result.error = "ALREADY_MAPPED"
        else:
            ctx.session.add(ShopSkuSource(shop_sku_pk=shop_sku_pk, supplier_pk=supplier.id,
                                          supply_sku_pk=supply_skus[supplier_code]))
            mapped.add(shop_sku_pk)
        results.append(result)
    added = [{"sku_code": r.sku_code, "supplier_sku_code": r.supplier_sku_code}
             for r in results if r.error is None]
    if added:
        try:
            with ctx.session.begin_nested():
                ctx.session.flush()
        except IntegrityError as exc:  # a concurrent request mapped one of them first
            raise DuplicateSource(supplier_id=supplier.supplier_id) from exc
        audit.record(ctx, "shop", shop.shop_id, "catalog.sources_confirmed",
                     data={"supplier_id": supplier.supplier_id, "sources": added})
    return results


def sources_by_sku(ctx: Ctx, shop: Shop, sku_codes: Iterable[str]) -> dict[str, list[SourceOut]]:
    """shop SKU code → its sources (supplier, the supplier's SKU, supply price, available)."""
    found: dict[str, list[SourceOut]] = {}
    for chunk in _chunks(sku_codes):
        rows = ctx.session.execute(
            select(ShopSku.sku_code, Supplier, SupplySku, SupplyProduct.active)
            .join(ShopProduct, ShopProduct.id == ShopSku.product_pk)
            .join(ShopSkuSource, ShopSkuSource.shop_sku_pk == ShopSku.id)
            .join(Supplier, Supplier.id == ShopSkuSource.supplier_pk)
            .join(SupplySku, SupplySku.id == ShopSkuSource.supply_sku_pk)
            .join(SupplyProduct, SupplyProduct.id == SupplySku.product_pk)
            .where(ShopSku.shop_pk == shop.id, ShopSku.sku_code.in_(chunk))
            .order_by(ShopSkuSource.id))
        for sku_code, supplier, supply, product_active in rows:
            found.setdefault(sku_code, []).append(SourceOut(
                supplier_id=supplier.supplier_id, supplier_name=supplier.name,
                sku_code=supply.sku_code, supply_price_fen=supply.supply_price_fen,
                available=bool(supply.active and product_active)))
    return found
