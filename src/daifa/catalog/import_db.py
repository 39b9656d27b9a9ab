"""Land checked product rows: upsert by code (a product by spu_code, a SKU by sku_code), so
importing the same file again changes nothing. A dry run does everything inside a savepoint and
rolls it back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import func, select

from daifa.audit import service as audit
from daifa.catalog.import_rows import Row
from daifa.catalog.models import SupplyProduct, SupplySku
from daifa.catalog.schemas import ImportResult, ImportRow, ImportSummary, RowStatus
from daifa.context import Ctx
from daifa.db.uow import savepoint
from daifa.sheets.importer import RowErrorOut
from daifa.suppliers.models import Supplier

Progress = Callable[[int], None]
T = TypeVar("T")


@dataclass
class Catalog:
    """The supplier's products and SKUs named in the file, loaded once."""

    products: dict[str, SupplyProduct]
    skus: dict[str, SupplySku]
    spu_by_pk: dict[int, str]
    next_position: dict[str, int]  # per spu_code


IN_CHUNK = 1000  # bound parameters per IN (...), well under SQLite's and PostgreSQL's limits
CHECKPOINT_ROWS = 2000  # rows landed between checkpoints (other writers go in between)


def _chunks(values: Iterable[T]) -> Iterator[list[T]]:
    items = list(values)
    for start in range(0, len(items), IN_CHUNK):
        yield items[start:start + IN_CHUNK]


def _load(ctx: Ctx, supplier: Supplier, rows: Iterable[Row]) -> Catalog:
    rows = list(rows)
    products: dict[str, SupplyProduct] = {}
    for codes in _chunks({r.spu_code for r in rows}):
        products.update((p.spu_code, p) for p in ctx.session.scalars(
            select(SupplyProduct).where(SupplyProduct.supplier_pk == supplier.id,
                                        SupplyProduct.spu_code.in_(codes))))
    skus: dict[str, SupplySku] = {}
    for codes in _chunks({r.sku_code for r in rows}):
        skus.update((s.sku_code, s) for s in ctx.session.scalars(
            select(SupplySku).where(SupplySku.supplier_pk == supplier.id,
                                    SupplySku.sku_code.in_(codes))))
    spu_by_pk = {p.id: p.spu_code for p in products.values()}
    for pks in _chunks({s.product_pk for s in skus.values()} - set(spu_by_pk)):
        spu_by_pk.update(ctx.session.execute(
            select(SupplyProduct.id, SupplyProduct.spu_code).where(SupplyProduct.id.in_(pks))
        ).all())
    next_position: dict[str, int] = {}
    for pks in _chunks(p.id for p in products.values()):
        next_position.update((spu_by_pk[pk], int(position)) for pk, position in ctx.session.execute(
            select(SupplySku.product_pk, func.max(SupplySku.position) + 1)
            .where(SupplySku.product_pk.in_(pks)).group_by(SupplySku.product_pk)))
    return Catalog(products, skus, spu_by_pk, next_position)


def _product_fields(rows: Iterable[Row]) -> dict[str, dict[str, object]]:
    """Per product, the first non-empty title, region and handling time in the file."""
    fields: dict[str, dict[str, object]] = {}
    for row in rows:
        found = fields.setdefault(row.spu_code, {})
        for name, value in (("title", row.title), ("ship_from_region", row.region),
                            ("handling_hours", row.handling_hours)):
            if value not in ("", None) and name not in found:
                found[name] = value
    return fields


@dataclass
class Run:
    """One import in progress."""

    ctx: Ctx
    supplier: Supplier
    catalog: Catalog
    fields: dict[str, dict[str, object]]
    settled: set[str] = field(default_factory=set)  # products whose fields were applied
    new_skus: list[tuple[SupplyProduct, SupplySku]] = field(default_factory=list)

    def apply(self, row: Row) -> RowStatus:
        sku = self.catalog.skus.get(row.sku_code)
        product = self.catalog.products.get(row.spu_code)
        if sku is not None and (product is None or sku.product_pk != product.id):
            owner = self.catalog.spu_by_pk.get(sku.product_pk, "?")
            row.fail("sku_code", "SKU_OF_ANOTHER_PRODUCT", spu=owner)
            return "error"
        product_changed = False
        if product is None:
            product = self._create_product(row)
            if product is None:
                return "error"
        elif row.spu_code not in self.settled:
            product_changed = self._touch(product, self.fields[row.spu_code])
        self.settled.add(row.spu_code)
        if sku is None:
            self._create_sku(product, row)
            return "created"
        changes = {"supply_price_fen": row.price_fen, "stock": row.stock,
                   "spec": row.spec or None}
        sku_changed = self._touch(sku, {k: v for k, v in changes.items() if v is not None})
        return "updated" if sku_changed or product_changed else "unchanged"

    def _touch(self, obj: SupplyProduct | SupplySku, changes: dict[str, object]) -> bool:
        changed = False
        for name, value in changes.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        if changed:
            obj.updated_at = self.ctx.now()
        return changed

    def _create_product(self, row: Row) -> SupplyProduct | None:
        values = self.fields[row.spu_code]
        if not values.get("title"):
            row.fail("title", "TITLE_REQUIRED")
            return None
        now = self.ctx.now()
        product = SupplyProduct(supplier_pk=self.supplier.id, spu_code=row.spu_code,
                                title=str(values["title"]),
                                ship_from_region=str(values.get("ship_from_region", "")),
                                handling_hours=int(str(values.get("handling_hours", 48))),
                                active=True, created_at=now, updated_at=now)
        self.ctx.session.add(product)  # flushed with the others in finish()
        self.catalog.products[row.spu_code] = product
        return product

    def _create_sku(self, product: SupplyProduct, row: Row) -> None:
        position = self.catalog.next_position.get(row.spu_code, 0)
        self.catalog.next_position[row.spu_code] = position + 1
        now = self.ctx.now()
        assert row.price_fen is not None
        sku = SupplySku(product_pk=product.id, supplier_pk=self.supplier.id,
                        sku_code=row.sku_code, spec=row.spec, position=position,
                        supply_price_fen=row.price_fen, price_tiers=[], stock=row.stock,
                        active=True, created_at=now, updated_at=now)
        self.new_skus.append((product, sku))
        self.catalog.skus[row.sku_code] = sku

    def finish(self) -> None:
        """Insert new products in one batch, then their new SKUs in another.

        One flush per product would re-scan the whole session each time (quadratic on big
        files); SKUs get their product's id once the products are in."""
        self.ctx.session.flush()
        for product, sku in self.new_skus:
            sku.product_pk = product.id
        self.ctx.session.add_all(sku for _, sku in self.new_skus)
        self.ctx.session.flush()
        self.new_skus = []


def apply(ctx: Ctx, supplier: Supplier, rows: list[Row], dry_run: bool = False,
          progress: Progress | None = None) -> ImportResult:
    """Land the good rows (unless dry_run) and report each row's outcome."""
    good = [r for r in rows if not r.errors]
    # A dry run keeps nothing; a real import commits chunk by chunk (importing the same file
    # again changes nothing, so one cut short is finished by importing it again).
    with savepoint(ctx.session, keep=False) if dry_run else nullcontext():
        run = Run(ctx, supplier, _load(ctx, supplier, good), _product_fields(good))
        statuses: list[RowStatus] = []
        for number, row in enumerate(rows, start=1):
            statuses.append(run.apply(row) if not row.errors else "error")
            if progress is not None:
                progress(1)
            if number % CHECKPOINT_ROWS == 0:
                run.finish()
                ctx.checkpoint()
        run.finish()
    return _result(ctx, supplier, rows, statuses, dry_run)


def _result(ctx: Ctx, supplier: Supplier, rows: list[Row], statuses: list[RowStatus],
            dry_run: bool) -> ImportResult:
    summary = ImportSummary()
    out = []
    for row, status in zip(rows, statuses, strict=True):
        setattr(summary, status, getattr(summary, status) + 1)
        out.append(ImportRow(row=row.number, spu_code=row.spu_code, sku_code=row.sku_code,
                             status=status,
                             errors=[RowErrorOut.of(e) for e in row.errors]))
    if not dry_run and (summary.created or summary.updated):
        audit.record(ctx, "supplier", supplier.supplier_id, "catalog.imported",
                     data=summary.model_dump())
    return ImportResult(dry_run=dry_run, summary=summary, rows=out)
