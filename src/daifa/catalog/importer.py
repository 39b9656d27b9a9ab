"""Import a supplier's products from CSV/XLSX: good rows land, bad rows are reported.

Upserts by code: a product by spu_code, a SKU by sku_code, so importing the same file again
changes nothing. Product fields (title, region, handling time) come from the first row of each
product that fills them. A dry run does everything inside a savepoint and rolls it back.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import func, select

from daifa.audit import service as audit
from daifa.catalog import rules
from daifa.catalog.models import SupplyProduct, SupplySku
from daifa.catalog.schemas import (
    CODE_PATTERN,
    ImportResult,
    ImportRow,
    ImportSummary,
    RowError,
    RowStatus,
)
from daifa.catalog.sheets import Table, read_table
from daifa.context import Ctx
from daifa.suppliers.models import Supplier

COLUMNS: dict[str, tuple[str, ...]] = {
    "spu_code": ("商品编码", "SPU编码", "spu"),
    "title": ("商品名称", "商品标题", "标题"),
    "sku_code": ("SKU编码", "sku", "规格编码"),
    "supply_price_fen": ("供货价(分)", "供货价分"),
    "supply_price": ("供货价", "供货价(元)"),
    "stock": ("库存",),
    "ship_from_region": ("发货地",),
    "spec": ("规格",),
    "handling_hours": ("发货时效(小时)", "发货时效"),
}
REQUIRED = (("spu_code",), ("sku_code",), ("supply_price_fen", "supply_price"))
_CODE = re.compile(CODE_PATTERN)
Progress = Callable[[int], None]
T = TypeVar("T")


@dataclass
class Row:
    """One data row after checking, before it touches the database."""

    number: int
    spu_code: str
    sku_code: str
    title: str = ""
    price_fen: int | None = None
    stock: int | None = None  # None: leave as is (new SKUs: not tracked)
    region: str = ""
    spec: str = ""
    handling_hours: int | None = None
    errors: list[RowError] = field(default_factory=list)

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(column=column, reason=reason))


def read(content: bytes) -> Table:
    return read_table(content, COLUMNS, REQUIRED)


def _code(row: Row, column: str, value: str) -> None:
    if not value:
        row.fail(column, "required")
    elif len(value) > 64 or not _CODE.match(value):
        row.fail(column, "at most 64 characters, without spaces, / \\ ? # %")


def _count(row: Row, column: str, value: str, upper: int) -> int | None:
    if not value:
        return None
    text = value[:-2] if value.endswith(".0") else value
    if not text.isdigit() or int(text) > upper:
        row.fail(column, f"a whole number from 0 to {upper}")
        return None
    return int(text)


def _price(row: Row, cells: dict[str, str]) -> int | None:
    if cells.get("supply_price_fen"):
        return _count(row, "supply_price_fen", cells["supply_price_fen"], 10**12)
    if not cells.get("supply_price"):
        row.fail("supply_price_fen", "required (supply_price_fen in fen or supply_price in yuan)")
        return None
    try:
        fen = rules.yuan_to_fen(cells["supply_price"])
    except ValueError:
        row.fail("supply_price", "an amount in yuan, like 12.50")
        return None
    if fen < 0:
        row.fail("supply_price", "must not be negative")
        return None
    return fen


def _text(row: Row, column: str, value: str, limit: int) -> str:
    if len(value) > limit:
        row.fail(column, f"at most {limit} characters")
    return value[:limit]


def check_row(number: int, cells: dict[str, str]) -> Row:
    row = Row(number=number, spu_code=cells.get("spu_code", ""),
              sku_code=cells.get("sku_code", ""))
    _code(row, "spu_code", row.spu_code)
    _code(row, "sku_code", row.sku_code)
    row.price_fen = _price(row, cells)
    row.stock = _count(row, "stock", cells.get("stock", ""), 10**9)
    row.handling_hours = _count(row, "handling_hours", cells.get("handling_hours", ""), 720)
    row.title = _text(row, "title", cells.get("title", ""), 200)
    row.region = _text(row, "ship_from_region", cells.get("ship_from_region", ""), 80)
    row.spec = _text(row, "spec", cells.get("spec", ""), 120)
    return row


@dataclass
class Catalog:
    """The supplier's products and SKUs named in the file, loaded once."""

    products: dict[str, SupplyProduct]
    skus: dict[str, SupplySku]
    spu_by_pk: dict[int, str]
    next_position: dict[str, int]  # per spu_code


IN_CHUNK = 1000  # bound parameters per IN (...), well under SQLite's and PostgreSQL's limits


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


def _mark_duplicates(rows: Iterable[Row]) -> None:
    first: dict[str, int] = {}
    for row in rows:
        if row.sku_code in first:
            row.fail("sku_code", f"already in row {first[row.sku_code]}; each SKU once per file")
        elif row.sku_code:
            first[row.sku_code] = row.number


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
            row.fail("sku_code", f"belongs to product {owner} of this supplier")
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
            row.fail("title", "required for a new product")
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


def import_file(ctx: Ctx, supplier: Supplier, content: bytes, *, dry_run: bool = False,
                progress: Progress | None = None) -> ImportResult:
    """Check every row, land the good ones (unless dry_run), report each row's outcome."""
    return import_table(ctx, supplier, read(content), dry_run=dry_run, progress=progress)


def import_table(ctx: Ctx, supplier: Supplier, table: Table, *, dry_run: bool = False,
                 progress: Progress | None = None) -> ImportResult:
    """As import_file, over a table already read (to size a progress bar first)."""
    rows = [check_row(number, cells) for number, cells in table.rows]
    _mark_duplicates(rows)
    good = [r for r in rows if not r.errors]
    savepoint = ctx.session.begin_nested()
    try:
        run = Run(ctx, supplier, _load(ctx, supplier, good), _product_fields(good))
        statuses: list[RowStatus] = []
        for row in rows:
            statuses.append(run.apply(row) if not row.errors else "error")
            if progress is not None:
                progress(1)
        run.finish()
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return _result(ctx, supplier, rows, statuses, dry_run)


def _result(ctx: Ctx, supplier: Supplier, rows: list[Row], statuses: list[RowStatus],
            dry_run: bool) -> ImportResult:
    summary = ImportSummary()
    out = []
    for row, status in zip(rows, statuses, strict=True):
        setattr(summary, status, getattr(summary, status) + 1)
        out.append(ImportRow(row=row.number, spu_code=row.spu_code, sku_code=row.sku_code,
                             status=status, errors=row.errors))
    if not dry_run and (summary.created or summary.updated):
        audit.record(ctx, "supplier", supplier.supplier_id, "catalog.imported",
                     data=summary.model_dump())
    return ImportResult(dry_run=dry_run, summary=summary, rows=out)


TEMPLATE_HEADERS = {
    "zh": ["商品编码", "商品名称", "SKU编码", "供货价", "库存", "发货地", "规格"],
    "en": ["spu_code", "title", "sku_code", "supply_price", "stock", "ship_from_region", "spec"],
}
TEMPLATE_EXAMPLE = ["TEE-001", "纯棉T恤", "TEE-001-RED-M", "19.90", "100", "浙江省 杭州市",
                    "红色/M"]


def template_csv(lang: str = "zh") -> bytes:
    """A CSV to fill in, UTF-8 with BOM so Excel in China opens it correctly."""
    lines = [",".join(TEMPLATE_HEADERS[lang]), ",".join(TEMPLATE_EXAMPLE)]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def template_xlsx(lang: str = "zh") -> bytes:
    """The same as an .xlsx workbook; code columns are text cells so Excel keeps long digits."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "products"
    sheet.append(TEMPLATE_HEADERS[lang])
    sheet.append(TEMPLATE_EXAMPLE)
    for column in ("A", "C"):
        for cell in sheet[column]:
            cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
