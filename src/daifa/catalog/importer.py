"""Import a supplier's products from CSV, XLSX or XLS: good rows land, bad rows are reported.

The declaration on the shared spreadsheet pipeline: columns and row check in import_rows, the
upsert (and dry run) in import_db, the template to fill in here.
"""

from __future__ import annotations

from daifa.catalog import import_db
from daifa.catalog.import_rows import LAYOUT, MESSAGES, Row, check
from daifa.catalog.schemas import ImportResult
from daifa.sheets.importer import Importer
from daifa.sheets.write import Template

PRODUCTS: Importer[list[Row], ImportResult] = Importer(
    name="products",
    layout=LAYOUT,
    template=Template(
        columns=("spu_code", "title", "sku_code", "supply_price", "stock", "ship_from_region",
                 "spec"),
        titles={"zh": "商品", "en": "products"},
        examples=(("TEE-001", "纯棉T恤", "TEE-001-RED-M", "19.90", "100", "浙江省 杭州市",
                   "红色/M"),),
    ),
    check=check,
    apply=import_db.apply,
    messages=MESSAGES,
    revive=ImportResult.model_validate,
)
