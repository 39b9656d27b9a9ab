"""Shop catalog use cases: a shop's products, SKUs and the supplier SKUs that fulfil them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, delete, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from daifa.audit import service as audit
from daifa.catalog.errors import (
    DuplicateSkuCode,
    DuplicateSource,
    ProductExists,
    ProductNotFound,
    SkuExists,
    SkuNotFound,
    SupplierSkuNotFound,
)
from daifa.catalog.models import ShopProduct, ShopSku, ShopSkuSource, SupplyProduct, SupplySku
from daifa.catalog.partners import BoundSuppliers
from daifa.catalog.schemas import (
    ShopProductIn,
    ShopProductOut,
    ShopProductPatch,
    ShopSkuIn,
    ShopSkuOut,
    ShopSkuPatch,
    SourceIn,
    SourceOut,
)
from daifa.catalog.service import like_pattern
from daifa.context import Ctx
from daifa.kit.pagination import Page
from daifa.shops.models import Shop
from daifa.suppliers.models import Supplier

Resolved = list[tuple[Supplier, SupplySku]]


def resolve_sources(ctx: Ctx, shop: Shop, sources: Sequence[SourceIn],
                    partners: BoundSuppliers | None = None) -> Resolved:
    """Each source as (bound supplier, its active SKU); one source per supplier."""
    partners = partners or BoundSuppliers(ctx, shop)
    resolved: Resolved = []
    for source in sources:
        supplier = partners.get(source.supplier_id)
        if any(s.id == supplier.id for s, _ in resolved):
            raise DuplicateSource(supplier_id=supplier.supplier_id)
        resolved.append((supplier, _supplier_sku(ctx, supplier, source.sku_code)))
    return resolved


def _supplier_sku(ctx: Ctx, supplier: Supplier, sku_code: str) -> SupplySku:
    sku = ctx.session.scalar(
        select(SupplySku).join(SupplyProduct, SupplyProduct.id == SupplySku.product_pk)
        .where(SupplySku.supplier_pk == supplier.id, SupplySku.sku_code == sku_code,
               SupplySku.active.is_(True), SupplyProduct.active.is_(True))
    )
    if sku is None:
        raise SupplierSkuNotFound(supplier_id=supplier.supplier_id, sku_code=sku_code)
    return sku


def create_product(ctx: Ctx, shop: Shop, data: ShopProductIn) -> ShopProduct:
    codes = [s.sku_code for s in data.skus]
    duplicate = next((c for c in codes if codes.count(c) > 1), None)
    if duplicate is not None:
        raise DuplicateSkuCode(sku_code=duplicate)
    _ensure_sku_codes_free(ctx, shop, codes)
    if find_product(ctx, shop, data.spu_code) is not None:
        raise ProductExists(spu_code=data.spu_code)
    partners = BoundSuppliers(ctx, shop)
    sources = [resolve_sources(ctx, shop, s.sources, partners) for s in data.skus]
    now = ctx.now()
    product = ShopProduct(shop_pk=shop.id, spu_code=data.spu_code, title=data.title.strip(),
                          active=True, created_at=now, updated_at=now)
    try:
        with ctx.session.begin_nested():
            ctx.session.add(product)
            ctx.session.flush()
            for position, (sku_in, resolved) in enumerate(zip(data.skus, sources, strict=True)):
                _insert_sku(ctx, product, sku_in, position, resolved)
    except IntegrityError as exc:
        raise ProductExists(spu_code=data.spu_code) from exc
    audit.record(ctx, "shop", shop.shop_id, "catalog.product_created",
                 data={"spu_code": product.spu_code, "skus": len(data.skus)})
    return product


def _ensure_sku_codes_free(ctx: Ctx, shop: Shop, codes: Sequence[str]) -> None:
    taken = ctx.session.scalars(
        select(ShopSku.sku_code).where(ShopSku.shop_pk == shop.id, ShopSku.sku_code.in_(codes))
    ).all()
    if taken:
        raise SkuExists(sku_code=sorted(taken)[0], sku_codes=sorted(taken))


def _insert_sku(ctx: Ctx, product: ShopProduct, data: ShopSkuIn, position: int,
                resolved: Resolved) -> ShopSku:
    now = ctx.now()
    sku = ShopSku(shop_pk=product.shop_pk, product_pk=product.id, sku_code=data.sku_code,
                  spec=data.spec.strip(), position=position, price_fen=data.price_fen,
                  active=True, created_at=now, updated_at=now)
    ctx.session.add(sku)
    ctx.session.flush()
    ctx.session.add_all(ShopSkuSource(shop_sku_pk=sku.id, supplier_pk=supplier.id,
                                      supply_sku_pk=supply.id) for supplier, supply in resolved)
    return sku


def find_product(ctx: Ctx, shop: Shop, spu_code: str) -> ShopProduct | None:
    return ctx.session.scalar(
        select(ShopProduct).where(ShopProduct.shop_pk == shop.id,
                                  ShopProduct.spu_code == spu_code)
    )


def get_product(ctx: Ctx, shop: Shop, spu_code: str) -> ShopProduct:
    product = find_product(ctx, shop, spu_code)
    if product is None:
        raise ProductNotFound(spu_code=spu_code)
    return product


def get_sku(ctx: Ctx, product: ShopProduct, sku_code: str) -> ShopSku:
    sku = ctx.session.scalar(
        select(ShopSku).where(ShopSku.product_pk == product.id, ShopSku.sku_code == sku_code)
    )
    if sku is None:
        raise SkuNotFound(spu_code=product.spu_code, sku_code=sku_code)
    return sku


def find_sku(ctx: Ctx, shop: Shop, sku_code: str) -> ShopSku | None:
    return ctx.session.scalar(
        select(ShopSku).where(ShopSku.shop_pk == shop.id, ShopSku.sku_code == sku_code)
    )


def update_product(ctx: Ctx, shop: Shop, spu_code: str, patch: ShopProductPatch) -> ShopProduct:
    product = get_product(ctx, shop, spu_code)
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    if "title" in changes:
        changes["title"] = changes["title"].strip()
    if _apply(ctx, product, changes):
        audit.record(ctx, "shop", shop.shop_id, "catalog.product_changed",
                     data={"spu_code": spu_code, "changes": changes})
    return product


def add_sku(ctx: Ctx, shop: Shop, spu_code: str, data: ShopSkuIn) -> ShopSku:
    product = get_product(ctx, shop, spu_code)
    _ensure_sku_codes_free(ctx, shop, [data.sku_code])
    resolved = resolve_sources(ctx, shop, data.sources)
    position = ctx.session.scalar(
        select(func.coalesce(func.max(ShopSku.position) + 1, 0))
        .where(ShopSku.product_pk == product.id)
    )
    try:
        with ctx.session.begin_nested():
            sku = _insert_sku(ctx, product, data, int(position or 0), resolved)
    except IntegrityError as exc:
        raise SkuExists(sku_code=data.sku_code) from exc
    product.updated_at = ctx.now()
    return sku


def update_sku(ctx: Ctx, shop: Shop, spu_code: str, sku_code: str,
               patch: ShopSkuPatch) -> ShopSku:
    product = get_product(ctx, shop, spu_code)
    sku = get_sku(ctx, product, sku_code)
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    if "spec" in changes:
        changes["spec"] = changes["spec"].strip()
    if _apply(ctx, sku, changes):
        audit.record(ctx, "shop", shop.shop_id, "catalog.sku_changed",
                     data={"spu_code": spu_code, "sku_code": sku_code, "changes": changes})
    return sku


def replace_sources(ctx: Ctx, shop: Shop, spu_code: str, sku_code: str,
                    sources: Sequence[SourceIn]) -> ShopProduct:
    """Set the whole list of sources of one shop SKU."""
    product = get_product(ctx, shop, spu_code)
    sku = get_sku(ctx, product, sku_code)
    resolved = resolve_sources(ctx, shop, sources)
    ctx.session.execute(delete(ShopSkuSource).where(ShopSkuSource.shop_sku_pk == sku.id))
    ctx.session.add_all(ShopSkuSource(shop_sku_pk=sku.id, supplier_pk=supplier.id,
                                      supply_sku_pk=supply.id) for supplier, supply in resolved)
    sku.updated_at = ctx.now()
    audit.record(ctx, "shop", shop.shop_id, "catalog.sources_set",
                 data={"spu_code": spu_code, "sku_code": sku_code,
                       "sources": [{"supplier_id": s.supplier_id, "sku_code": k.sku_code}
                                   for s, k in resolved]})
    return product


def _apply(ctx: Ctx, obj: ShopProduct | ShopSku, changes: dict[str, object]) -> bool:
    changed = False
    for field, value in changes.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed = True
    if changed:
        obj.updated_at = ctx.now()
    return changed


def list_products(ctx: Ctx, shop: Shop, *, q: str | None = None, active: bool | None = None,
                  after: int | None = None, limit: int = 50) -> Page[ShopProductOut]:
    query: Select[ShopProduct] = select(ShopProduct).where(ShopProduct.shop_pk == shop.id)
    if q and q.strip():
        pattern = like_pattern(q)
        sku_match = exists().where(ShopSku.product_pk == ShopProduct.id,
                                   ShopSku.sku_code.ilike(pattern, escape="\\"))
        query = query.where(or_(ShopProduct.spu_code.ilike(pattern, escape="\\"),
                                ShopProduct.title.ilike(pattern, escape="\\"), sku_match))
    if active is not None:
        query = query.where(ShopProduct.active == active)
    if after is not None:
        query = query.where(ShopProduct.id > after)
    products = ctx.session.scalars(query.order_by(ShopProduct.id).limit(limit)).all()
    outs = products_out(ctx, shop, products)
    return Page.of([(p.id, out) for p, out in zip(products, outs, strict=True)], limit)


def products_out(ctx: Ctx, shop: Shop, products: Sequence[ShopProduct]) -> list[ShopProductOut]:
    """Products with SKUs and sources: two queries whatever the page size."""
    ctx.session.flush()
    product_pks = [p.id for p in products]
    skus = ctx.session.scalars(
        select(ShopSku).where(ShopSku.product_pk.in_(product_pks))
        .order_by(ShopSku.position, ShopSku.id)
    ).all() if products else []
    sources = _sources_of(ctx, [s.id for s in skus])
    by_product: dict[int, list[ShopSkuOut]] = {pk: [] for pk in product_pks}
    for sku in skus:
        by_product[sku.product_pk].append(ShopSkuOut(
            sku_code=sku.sku_code, spec=sku.spec, position=sku.position, price_fen=sku.price_fen,
            active=sku.active, sources=sources.get(sku.id, [])))
    return [ShopProductOut(shop_id=shop.shop_id, spu_code=p.spu_code, title=p.title,
                           active=p.active, created_at=p.created_at, updated_at=p.updated_at,
                           skus=by_product[p.id]) for p in products]


def _sources_of(ctx: Ctx, shop_sku_pks: Sequence[int]) -> dict[int, list[SourceOut]]:
    if not shop_sku_pks:
        return {}
    rows = ctx.session.execute(
        select(ShopSkuSource.shop_sku_pk, Supplier, SupplySku, SupplyProduct.active)
        .join(Supplier, Supplier.id == ShopSkuSource.supplier_pk)
        .join(SupplySku, SupplySku.id == ShopSkuSource.supply_sku_pk)
        .join(SupplyProduct, SupplyProduct.id == SupplySku.product_pk)
        .where(ShopSkuSource.shop_sku_pk.in_(shop_sku_pks))
        .order_by(ShopSkuSource.id)
    )
    found: dict[int, list[SourceOut]] = {}
    for shop_sku_pk, supplier, supply, product_active in rows:
        found.setdefault(shop_sku_pk, []).append(SourceOut(
            supplier_id=supplier.supplier_id, supplier_name=supplier.name,
            sku_code=supply.sku_code, supply_price_fen=supply.supply_price_fen,
            available=bool(supply.active and product_active)))
    return found


def product_out(ctx: Ctx, shop: Shop, product: ShopProduct) -> ShopProductOut:
    return products_out(ctx, shop, [product])[0]
