"""Supply catalog use cases: a supplier's products and SKUs, and stock reservation."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import cast

from sqlalchemy import Select, Table, Update, bindparam, case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from daifa.audit import service as audit
from daifa.catalog import rules
from daifa.catalog.errors import (
    DuplicateSkuCode,
    InvalidPriceTiers,
    ProductExists,
    ProductNotFound,
    SkuExists,
    SkuNotFound,
)
from daifa.catalog.models import SupplyProduct, SupplySku
from daifa.catalog.schemas import (
    PriceTier,
    SupplyProductIn,
    SupplyProductOut,
    SupplyProductPatch,
    SupplySkuIn,
    SupplySkuOut,
    SupplySkuPatch,
)
from daifa.context import Ctx
from daifa.kit.pagination import Page
from daifa.suppliers.models import Supplier


def like_pattern(q: str) -> str:
    escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def tiers_doc(tiers: Sequence[PriceTier]) -> list[dict[str, int]]:
    """Tiers as stored, after checking they increase strictly."""
    doc = [{"min_quantity": t.min_quantity, "price_fen": t.price_fen} for t in tiers]
    problem = rules.tier_problem(doc)
    if problem:
        raise InvalidPriceTiers(min_quantity=rules.MIN_TIER_QUANTITY, max_tiers=rules.MAX_TIERS)
    return doc


def _unique_codes(codes: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise DuplicateSkuCode(sku_code=code)
        seen.add(code)
    return list(seen)


def _ensure_sku_codes_free(ctx: Ctx, supplier: Supplier, codes: Sequence[str]) -> None:
    taken = ctx.session.scalars(
        select(SupplySku.sku_code).where(SupplySku.supplier_pk == supplier.id,
                                         SupplySku.sku_code.in_(codes))
    ).all()
    if taken:
        raise SkuExists(sku_code=sorted(taken)[0], sku_codes=sorted(taken))


def create_product(ctx: Ctx, supplier: Supplier, data: SupplyProductIn) -> SupplyProduct:
    _ensure_sku_codes_free(ctx, supplier, _unique_codes(s.sku_code for s in data.skus))
    tier_docs = [tiers_doc(s.price_tiers) for s in data.skus]
    if find_product(ctx, supplier, data.spu_code) is not None:
        raise ProductExists(spu_code=data.spu_code)
    now = ctx.now()
    product = SupplyProduct(supplier_pk=supplier.id, spu_code=data.spu_code,
                            title=data.title.strip(), ship_from_region=data.ship_from_region,
                            handling_hours=data.handling_hours, active=True,
                            created_at=now, updated_at=now)
    try:
        with ctx.session.begin_nested():
            ctx.session.add(product)
            ctx.session.flush()
            ctx.session.add_all(_new_sku(ctx, product, sku, tiers, position)
                                for position, (sku, tiers) in
                                enumerate(zip(data.skus, tier_docs, strict=True)))
    except IntegrityError as exc:  # a concurrent create of the same codes
        raise ProductExists(spu_code=data.spu_code) from exc
    audit.record(ctx, "supplier", supplier.supplier_id, "catalog.product_created",
                 data={"spu_code": product.spu_code, "skus": len(data.skus)})
    return product


def _new_sku(ctx: Ctx, product: SupplyProduct, data: SupplySkuIn, tiers: list[dict[str, int]],
             position: int) -> SupplySku:
    now = ctx.now()
    return SupplySku(product_pk=product.id, supplier_pk=product.supplier_pk,
                     sku_code=data.sku_code, spec=data.spec.strip(), position=position,
                     supply_price_fen=data.supply_price_fen, price_tiers=tiers,
                     stock=data.stock, active=True, created_at=now, updated_at=now)


def find_product(ctx: Ctx, supplier: Supplier, spu_code: str) -> SupplyProduct | None:
    return ctx.session.scalar(
        select(SupplyProduct).where(SupplyProduct.supplier_pk == supplier.id,
                                    SupplyProduct.spu_code == spu_code)
    )


def get_product(ctx: Ctx, supplier: Supplier, spu_code: str) -> SupplyProduct:
    product = find_product(ctx, supplier, spu_code)
    if product is None:
        raise ProductNotFound(spu_code=spu_code)
    return product


def get_sku(ctx: Ctx, product: SupplyProduct, sku_code: str) -> SupplySku:
    sku = ctx.session.scalar(
        select(SupplySku).where(SupplySku.product_pk == product.id,
                                SupplySku.sku_code == sku_code)
    )
    if sku is None:
        raise SkuNotFound(spu_code=product.spu_code, sku_code=sku_code)
    return sku


def update_product(ctx: Ctx, supplier: Supplier, spu_code: str,
                   patch: SupplyProductPatch) -> SupplyProduct:
    product = get_product(ctx, supplier, spu_code)
    changes = patch.model_dump(exclude_unset=True, exclude_none=True)
    if "title" in changes:
        changes["title"] = changes["title"].strip()
    if _apply(ctx, product, changes):
        audit.record(ctx, "supplier", supplier.supplier_id, "catalog.product_changed",
                     data={"spu_code": spu_code, "changes": changes})
    return product


def add_sku(ctx: Ctx, supplier: Supplier, spu_code: str, data: SupplySkuIn) -> SupplySku:
    product = get_product(ctx, supplier, spu_code)
    _ensure_sku_codes_free(ctx, supplier, [data.sku_code])
    position = ctx.session.scalar(
        select(func.coalesce(func.max(SupplySku.position) + 1, 0))
        .where(SupplySku.product_pk == product.id)
    )
    sku = _new_sku(ctx, product, data, tiers_doc(data.price_tiers), int(position or 0))
    try:
        with ctx.session.begin_nested():
            ctx.session.add(sku)
    except IntegrityError as exc:
        raise SkuExists(sku_code=data.sku_code) from exc
    product.updated_at = ctx.now()
    return sku


def update_sku(ctx: Ctx, supplier: Supplier, spu_code: str, sku_code: str,
               patch: SupplySkuPatch) -> SupplySku:
    sku = get_sku(ctx, get_product(ctx, supplier, spu_code), sku_code)
    changes = patch.model_dump(exclude_unset=True)
    for field in ("supply_price_fen", "price_tiers", "spec", "active"):
        if changes.get(field, 0) is None:
            del changes[field]  # only stock may be set to null
    if patch.price_tiers is not None:
        changes["price_tiers"] = tiers_doc(patch.price_tiers)
    if "spec" in changes:
        changes["spec"] = changes["spec"].strip()
    if _apply(ctx, sku, changes):
        audit.record(ctx, "supplier", supplier.supplier_id, "catalog.sku_changed",
                     data={"spu_code": spu_code, "sku_code": sku_code, "changes": changes})
    return sku


def _apply(ctx: Ctx, obj: SupplyProduct | SupplySku, changes: dict[str, object]) -> bool:
    """Set the fields that differ; touch updated_at only when something did."""
    changed = False
    for field, value in changes.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed = True
    if changed:
        obj.updated_at = ctx.now()
    return changed


def list_products(ctx: Ctx, supplier: Supplier, *, q: str | None = None,
                  active: bool | None = None, after: int | None = None,
                  limit: int = 50) -> Page[SupplyProductOut]:
    query: Select[SupplyProduct] = select(SupplyProduct).where(
        SupplyProduct.supplier_pk == supplier.id)
    if q and q.strip():
        pattern = like_pattern(q)
        sku_match = exists().where(SupplySku.product_pk == SupplyProduct.id,
                                   SupplySku.sku_code.ilike(pattern, escape="\\"))
        query = query.where(or_(SupplyProduct.spu_code.ilike(pattern, escape="\\"),
                                SupplyProduct.title.ilike(pattern, escape="\\"), sku_match))
    if active is not None:
        query = query.where(SupplyProduct.active == active)
    if after is not None:
        query = query.where(SupplyProduct.id > after)
    products = ctx.session.scalars(query.order_by(SupplyProduct.id).limit(limit)).all()
    outs = products_out(ctx, supplier, products)
    return Page.of([(p.id, out) for p, out in zip(products, outs, strict=True)], limit)


def products_out(ctx: Ctx, supplier: Supplier,
                 products: Sequence[SupplyProduct]) -> list[SupplyProductOut]:
    """Products with their SKUs, in one query for all the SKUs."""
    by_product: dict[int, list[SupplySkuOut]] = {p.id: [] for p in products}
    if products:
        skus = ctx.session.scalars(
            select(SupplySku).where(SupplySku.product_pk.in_(by_product))
            .order_by(SupplySku.position, SupplySku.id)
        )
        for sku in skus:
            by_product[sku.product_pk].append(sku_out(sku))
    return [
        SupplyProductOut(supplier_id=supplier.supplier_id, spu_code=p.spu_code, title=p.title,
                         ship_from_region=p.ship_from_region, handling_hours=p.handling_hours,
                         active=p.active, created_at=p.created_at, updated_at=p.updated_at,
                         skus=by_product[p.id])
        for p in products
    ]


def product_out(ctx: Ctx, supplier: Supplier, product: SupplyProduct) -> SupplyProductOut:
    ctx.session.flush()
    return products_out(ctx, supplier, [product])[0]


def sku_out(sku: SupplySku) -> SupplySkuOut:
    return SupplySkuOut(sku_code=sku.sku_code, spec=sku.spec, position=sku.position,
                        supply_price_fen=sku.supply_price_fen,
                        price_tiers=[PriceTier.model_validate(t) for t in sku.price_tiers],
                        stock=sku.stock, active=sku.active, updated_at=sku.updated_at)


_SKUS = cast(Table, SupplySku.__table__)
# Built once on the table (no ORM bookkeeping): orders in run it for every tracked SKU.
_RESERVE = (update(_SKUS)
            .where(_SKUS.c.id == bindparam("pk"),
                   or_(_SKUS.c.stock.is_(None), _SKUS.c.stock >= bindparam("quantity")))
            .values(stock=_SKUS.c.stock - bindparam("quantity")))


def reserve_stock(ctx: Ctx, supply_sku_pk: int, quantity: int) -> bool:
    """Take `quantity` from the SKU's stock if there is enough (or stock is not tracked).

    One conditional UPDATE, so concurrent reservations never drive stock negative on SQLite or
    PostgreSQL, without row locks. True when reserved.
    """
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    result = ctx.session.execute(_RESERVE, {"pk": supply_sku_pk, "quantity": quantity})
    loaded = ctx.session.identity_map.get(identity_key(SupplySku, supply_sku_pk))
    if loaded is not None:
        ctx.session.expire(loaded, ["stock"])  # read again when next asked
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def reserve_many(ctx: Ctx, need: dict[int, int]) -> set[int]:
    """Take each SKU's quantity from its tracked stock where there is enough, in one UPDATE
    for them all (each row is still all or nothing); the SKUs refused."""
    if not need:
        return set()
    if any(quantity < 1 for quantity in need.values()):
        raise ValueError("quantity must be at least 1")
    pks = sorted(need)
    params = {f"p{n}": pk for n, pk in enumerate(pks)}
    params.update({f"q{n}": need[pk] for n, pk in enumerate(pks)})
    taken = set(ctx.session.scalars(_reserve_statement(len(pks)), params))
    for pk in pks:
        loaded = ctx.session.identity_map.get(identity_key(SupplySku, pk))
        if loaded is not None:
            ctx.session.expire(loaded, ["stock"])
    return set(pks) - taken


@functools.lru_cache(maxsize=64)
def _reserve_statement(count: int) -> Update:
    """The UPDATE … RETURNING for `count` SKUs (pN takes qN), built once per count."""
    wanted = case({bindparam(f"p{n}"): bindparam(f"q{n}") for n in range(count)},
                  value=_SKUS.c.id)
    return (update(_SKUS)
            .where(_SKUS.c.id.in_([bindparam(f"p{n}") for n in range(count)]),
                   or_(_SKUS.c.stock.is_(None), _SKUS.c.stock >= wanted))
            .values(stock=_SKUS.c.stock - wanted)
            .returning(_SKUS.c.id))


def release_stock(ctx: Ctx, supply_sku_pk: int, quantity: int) -> None:
    """Give back what a reservation took (cancel, reject); untracked stock stays untracked."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    ctx.session.execute(
        update(SupplySku)
        .where(SupplySku.id == supply_sku_pk, SupplySku.stock.is_not(None))
        .values(stock=SupplySku.stock + quantity)
        .execution_options(synchronize_session="fetch")
    )
