"""What spreadsheet shipping works on: a supplier's dispatch orders with their lines, and the
parcels an upload records, as plain data (loaded by upload_db, decided by upload)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Line:
    pk: int
    line_pk: int
    sku_code: str
    supplier_sku_code: str
    quantity: int
    shipped: int  # including what earlier rows of this upload take

    @property
    def left(self) -> int:
        return self.quantity - self.shipped


@dataclass(slots=True)
class Order:
    pk: int
    no: str
    order_pk: int
    shop_pk: int
    status: str
    hold_reason: str | None
    ship_by: Any  # as the database returned it (a string on SQLite)
    late: bool
    lines: list[Line] = field(default_factory=list)
    parcels: list[Parcel] = field(default_factory=list)  # what this upload ships
    # The supplier's SKU codes, then the shop's (a code may be both: the supplier's wins).
    by_supplier_sku: dict[str, list[Line]] = field(default_factory=dict)
    by_shop_sku: dict[str, list[Line]] = field(default_factory=dict)

    def add(self, line: Line) -> None:
        self.lines.append(line)
        self.by_supplier_sku.setdefault(line.supplier_sku_code, []).append(line)
        self.by_shop_sku.setdefault(line.sku_code, []).append(line)

    def matching(self, sku: str) -> list[Line]:
        """The lines with this SKU code: the supplier's first, else the shop's."""
        return self.by_supplier_sku.get(sku) or self.by_shop_sku.get(sku, [])


@dataclass(slots=True, eq=False)  # compared by identity
class Parcel:
    carrier: str
    tracking_no: str
    order_pk: int  # the dispatch order's row id
    pk: int | None = None  # set once stored
    stored_lines: set[int] = field(default_factory=set)  # dispatch line ids already recorded
    new_lines: dict[int, int] = field(default_factory=dict)  # dispatch line id → units now
