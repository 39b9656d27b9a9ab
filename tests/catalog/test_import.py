"""Importing supply products from CSV (UTF-8, UTF-8 BOM, GB18030) and XLSX files."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from tests import factories as f
from tests.api.support import assert_problem, changed_settings, ok
from tests.catalog.helpers import supply_product

ENGLISH = "spu_code,title,sku_code,supply_price_fen,stock,ship_from_region\n"
CHINESE = "商品编码,商品名称,SKU编码,供货价,库存,发货地\n"

# row 2..9: good, good, bad price, new product without title, duplicate sku, bad stock,
# a SKU that belongs to another product, good (same product as row 2, title ignored)
ENGLISH_ROWS = (
    "TEE,纯棉T恤,TEE-M,1990,100,浙江省 杭州市\n"
    "TEE,,TEE-L,1990,,\n"
    "TEE,,TEE-XL,abc,5,\n"
    "CUP,,CUP-1,500,1,\n"
    "TEE,,TEE-M,1990,100,\n"
    "MUG,马克杯,MUG-1,800,-2,\n"
    "MUG,马克杯,OLD-1,800,1,\n"
    "TEE,另一个标题,TEE-S,1890,0,\n"
)
EXPECTED = [
    (2, "created", []), (3, "created", []), (4, "error", ["supply_price_fen"]),
    (5, "error", ["title"]), (6, "error", ["sku_code"]), (7, "error", ["stock"]),
    (8, "error", ["sku_code"]), (9, "created", []),
]


def _setup(client: TestClient) -> tuple[f.Person, str]:
    owner = f.person(client)
    supplier_id = f.supplier(client, owner)
    supply_product(client, owner, supplier_id, "OLD", "OLD-1")
    return owner, supplier_id


def _upload(client: TestClient, owner: f.Person, supplier_id: str, content: bytes,
            name: str = "products.csv", **params: Any) -> Any:
    return client.post(f"/api/v1/suppliers/{supplier_id}/products:import", params=params,
                       files={"file": (name, content)}, headers=owner.headers)


def _outcome(result: dict[str, Any]) -> list[tuple[int, str, list[str]]]:
    return [(r["row"], r["status"], [e["column"] for e in r["errors"]]) for r in result["rows"]]


def _tee(client: TestClient, owner: f.Person, supplier_id: str) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/suppliers/{supplier_id}/products/TEE",  # type: ignore[no-any-return]
                         headers=owner.headers))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("header", [ENGLISH, CHINESE], ids=["english", "chinese"])
def test_csv_good_rows_land_bad_rows_are_reported(client: TestClient, encoding: str,
                                                  header: str) -> None:
    owner, supplier_id = _setup(client)
    rows = ENGLISH_ROWS
    if header == CHINESE:  # 供货价 is in yuan
        rows = rows.replace(",1990,", ",19.90,").replace(",1890,", ",18.90,").replace(
            ",500,", ",5,").replace(",800,", ",8,")
    content = (header + rows).encode(encoding)
    result = ok(_upload(client, owner, supplier_id, content))
    price_column = "supply_price" if header == CHINESE else "supply_price_fen"
    assert _outcome(result) == [(n, s, [price_column] if c == ["supply_price_fen"] else c)
                                for n, s, c in EXPECTED]
    assert result["summary"] == {"created": 3, "updated": 0, "unchanged": 0, "error": 5}
    assert result["dry_run"] is False
    tee = _tee(client, owner, supplier_id)
    assert (tee["title"], tee["ship_from_region"]) == ("纯棉T恤", "浙江省 杭州市")
    assert [(s["sku_code"], s["supply_price_fen"], s["stock"]) for s in tee["skus"]] == [
        ("TEE-M", 1990, 100), ("TEE-L", 1990, None), ("TEE-S", 1890, 0)]
    assert_problem(client.get(f"/api/v1/suppliers/{supplier_id}/products/CUP",
                              headers=owner.headers), 404, "PRODUCT_NOT_FOUND")
    assert_problem(client.get(f"/api/v1/suppliers/{supplier_id}/products/MUG",
                              headers=owner.headers), 404, "PRODUCT_NOT_FOUND")
    again = ok(_upload(client, owner, supplier_id, content))
    assert [(r, s) for r, s, _ in _outcome(again)] == [
        (2, "unchanged"), (3, "unchanged"), (4, "error"), (5, "error"), (6, "error"),
        (7, "error"), (8, "error"), (9, "unchanged")]
    assert _tee(client, owner, supplier_id) == tee


def test_errors_name_column_and_reason(client: TestClient) -> None:
    owner, supplier_id = _setup(client)
    result = ok(_upload(client, owner, supplier_id, (ENGLISH + ENGLISH_ROWS).encode()))
    by_row = {r["row"]: r for r in result["rows"]}
    assert by_row[6]["errors"] == [{"column": "sku_code",
                                    "reason": "already in row 2; each SKU once per file",
                                    "code": "DUPLICATE_SKU_CODE", "params": {"row": 2}}]
    assert by_row[8]["errors"] == [{"column": "sku_code",
                                    "reason": "belongs to product OLD of this supplier",
                                    "code": "SKU_OF_ANOTHER_PRODUCT", "params": {"spu": "OLD"}}]
    assert by_row[5]["errors"] == [{"column": "title", "reason": "required for a new product",
                                    "code": "TITLE_REQUIRED", "params": {}}]
    assert by_row[7]["errors"] == [{"column": "stock", "reason": "a whole number from 0 to "
                                    "1000000000", "code": "INVALID_NUMBER",
                                    "params": {"low": 0, "high": 10**9}}]
    assert (by_row[4]["spu_code"], by_row[4]["sku_code"]) == ("TEE", "TEE-XL")


def test_xlsx_with_numeric_cells(client: TestClient) -> None:
    owner, supplier_id = _setup(client)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["商品编码", "商品名称", "SKU编码", "供货价", "库存", "发货地", "规格"])
    sheet.append([1001, "保温杯", 6901234567890, 12.345, 10, "广东省", "白色"])
    sheet.append([1001, None, "6901234567891", 0.005, None, None, "黑色"])
    sheet.append([1001, None, "BAD CODE", 1, 1, None, None])
    sheet.append([None, None, None, None, None, None, None])
    sheet.append([1002, "水壶", "K-2", "¥1,234.50", 3.0, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    result = ok(_upload(client, owner, supplier_id, content, name="products.xlsx"))
    assert _outcome(result) == [(2, "created", []), (3, "created", []),
                                (4, "error", ["sku_code"]), (6, "created", [])]
    cup = ok(client.get(f"/api/v1/suppliers/{supplier_id}/products/1001",
                        headers=owner.headers))
    assert [(s["sku_code"], s["supply_price_fen"], s["stock"], s["spec"])
            for s in cup["skus"]] == [("6901234567890", 1235, 10, "白色"),
                                      ("6901234567891", 1, None, "黑色")]
    kettle = ok(client.get(f"/api/v1/suppliers/{supplier_id}/products/1002",
                           headers=owner.headers))
    assert (kettle["skus"][0]["supply_price_fen"], kettle["skus"][0]["stock"]) == (123450, 3)
    again = ok(_upload(client, owner, supplier_id, content, name="products.xlsx"))
    assert again["summary"] == {"created": 0, "updated": 0, "unchanged": 3, "error": 1}


def test_reimport_with_changes_updates_only_what_changed(client: TestClient) -> None:
    owner, supplier_id = _setup(client)
    first = "spu_code,title,sku_code,supply_price_fen,stock\nP,品,A,100,5\nP,,B,200,5\n"
    ok(_upload(client, owner, supplier_id, first.encode()))
    second = "spu_code,title,sku_code,supply_price_fen,stock\nP,品,A,100,5\nP,,B,250,5\n"
    result = ok(_upload(client, owner, supplier_id, second.encode()))
    assert [r["status"] for r in result["rows"]] == ["unchanged", "updated"]
    third = "spu_code,title,sku_code,supply_price_fen,stock\nP,新品名,A,100,5\nP,,B,250,5\n"
    result = ok(_upload(client, owner, supplier_id, third.encode()))
    assert [r["status"] for r in result["rows"]] == ["updated", "unchanged"]


def test_dry_run_changes_nothing(client: TestClient) -> None:
    owner, supplier_id = _setup(client)
    content = (ENGLISH + ENGLISH_ROWS).encode()
    result = ok(_upload(client, owner, supplier_id, content, dry_run="true"))
    assert result["dry_run"] is True
    assert _outcome(result) == EXPECTED
    assert_problem(client.get(f"/api/v1/suppliers/{supplier_id}/products/TEE",
                              headers=owner.headers), 404, "PRODUCT_NOT_FOUND")
    assert ok(_upload(client, owner, supplier_id, content))["summary"]["created"] == 3


def test_unusable_files_are_refused_with_a_code(client: TestClient) -> None:
    owner, supplier_id = _setup(client)
    missing = "spu_code,title,stock\nP,品,1\n".encode()
    body = assert_problem(_upload(client, owner, supplier_id, missing), 422,
                          "SHEET_HEADER_INVALID")
    assert body["missing"] == ["sku_code", "supply_price_fen or supply_price"]
    assert_problem(_upload(client, owner, supplier_id, b""), 422, "SHEET_EMPTY")
    # A UTF-16 byte-order mark followed by a lone surrogate: no encoding reads it.
    assert_problem(_upload(client, owner, supplier_id, b"\xff\xfe\x00\xd8garbage\xff"),
                   422, "UNREADABLE_FILE")
    assert_problem(_upload(client, owner, supplier_id, b"\xd0\xcf\x11\xe0rest", name="a.xls"),
                   422, "UNREADABLE_FILE")
    assert_problem(_upload(client, owner, supplier_id, b"PK\x03\x04broken", name="a.xlsx"),
                   422, "UNREADABLE_FILE")
    assert_problem(client.post(f"/api/v1/suppliers/{supplier_id}/products:import",
                               headers=owner.headers), 422, "VALIDATION_FAILED")


def test_tab_separated_and_only_another_suppliers_catalog_is_404(client: TestClient) -> None:
    owner, supplier_id = _setup(client)
    content = "spu_code\ttitle\tsku_code\tsupply_price_fen\nP\t品\tA\t100\n".encode()
    assert ok(_upload(client, owner, supplier_id, content))["summary"]["created"] == 1
    stranger = f.person(client)
    assert_problem(_upload(client, stranger, supplier_id, content), 404, "SUPPLIER_NOT_FOUND")


@pytest.mark.parametrize(("fmt", "lang"), [("csv", "zh"), ("csv", "en"), ("xlsx", "zh"),
                                           ("xlsx", "en")])
def test_the_template_imports_as_it_is(client: TestClient, fmt: str, lang: str) -> None:
    owner, supplier_id = _setup(client)
    response = client.get("/api/v1/catalog/import-template",
                          params={"format": fmt, "lang": lang})
    assert response.status_code == 200
    assert f"products-template.{fmt}" in response.headers["content-disposition"]
    if fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")
    result = ok(_upload(client, owner, supplier_id, response.content, name=f"t.{fmt}"))
    assert _outcome(result) == [(2, "created", [])]
    product = ok(client.get(f"/api/v1/suppliers/{supplier_id}/products/TEE-001",
                            headers=owner.headers))
    assert product["skus"][0]["supply_price_fen"] == 1990
    assert product["skus"][0]["spec"] == "红色/M"


def test_utf16_text_and_ids_excel_rounded_are_refused_per_row(client: TestClient) -> None:
    owner, supplier_id = _setup(client)
    content = ("\ufeff" + CHINESE.replace(",", "\t") + "P1\t品\t1.23457E+18\t1\t1\t\n"
               "P1\t品\t6901234567890123\t2\t1\t\n").encode("utf-16-le")
    result = ok(_upload(client, owner, supplier_id, content, name="products.txt"))
    assert _outcome(result) == [(2, "error", ["sku_code"]), (3, "created", [])]
    assert result["rows"][0]["errors"][0]["code"] == "ID_NOT_TEXT"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["商品编码", "商品名称", "SKU编码", "供货价"])
    sheet.append([1234567890123456789, "品", "A-1", 1])
    sheet.append(["P2", "品", 69012345678.5, 1])
    buffer = io.BytesIO()
    book.save(buffer)
    result = ok(_upload(client, owner, supplier_id, buffer.getvalue(), name="p.xlsx"))
    assert [(r["row"], [(e["column"], e["code"]) for e in r["errors"]])
            for r in result["rows"]] == [(2, [("spu_code", "ID_NOT_TEXT")]),
                                         (3, [("sku_code", "ID_NOT_TEXT")])]


def test_limits_come_from_the_settings(client: TestClient) -> None:
    owner, supplier_id = _setup(client)
    content = (ENGLISH + ENGLISH_ROWS).encode()
    with changed_settings(client, sheet_max_rows=7):
        body = assert_problem(_upload(client, owner, supplier_id, content), 422,
                              "SHEET_TOO_LARGE")
        assert "7 rows" in body["detail"]
    with changed_settings(client, upload_max_bytes=len(content) - 1):
        assert_problem(_upload(client, owner, supplier_id, content), 413, "FILE_TOO_LARGE")
    assert ok(_upload(client, owner, supplier_id, content, dry_run="true"))["dry_run"]
