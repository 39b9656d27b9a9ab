"""Orders from CSV/XLSX files: API upload with preview, and `daifa orders import`."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from typer.testing import CliRunner

from daifa.cli.main import app
from tests.api.support import assert_problem, changed_settings, ok
from tests.orders.helpers import World, world

HEADER = "订单号,收货人,手机号,省,市,区,详细地址,SKU编码,数量,单价,支付时间\n"
ADDRESS = "浙江省,杭州市,西湖区,文三路 90 号"
CSV = HEADER + (
    f"3721456789012345678,张三,13912345678,{ADDRESS},TEE-RED,2,59.00,2026-11-25 09:30:00\n"
    f"3721456789012345678,,,,,,,MUG-1,1,12.5,\n"
    f"1002,李四,13912345679,{ADDRESS},TEE-RED,abc,59,\n"
    f"1003,王五,12345,{ADDRESS},TEE-RED,1,59,\n"
    f"1004,赵六,13912345670,{ADDRESS},TEE-RED,1,59,\n"
    f"1004,钱七,,,,,,MUG-1,1,59,\n"
    f'1005,孙八,13912345671,{ADDRESS},NOT-A-SKU,1,"¥1,234.50",\n'
)


def upload(w: World, content: bytes, name: str = "orders.csv", **params: Any) -> Any:
    return w.client.post(w.url("/orders:import"), params=params, headers=w.headers,
                         files={"file": (name, content, "text/csv")})


def errors_by_row(result: dict[str, Any]) -> dict[int, list[str]]:
    return {row["row"]: [e["column"] for e in row["errors"]] for row in result["rows"]
            if row["errors"]}


def routed(client: TestClient) -> World:
    w = world(client)
    w.settings("whole_store", default_supplier_id=w.suppliers[0].supplier_id)
    return w


def test_preview_reports_rows_and_routing_without_writing(client: TestClient) -> None:
    w = routed(client)
    result = ok(upload(w, CSV.encode("gb18030"), dry_run="true"))
    assert result["dry_run"] is True
    assert result["summary"] == {"orders_created": 3, "orders_existing": 0, "orders_error": 2,
                                 "rows": 7}
    assert errors_by_row(result) == {4: ["quantity"], 5: ["buyer_phone"]}
    assert result["routed"] == [{"supplier_id": w.suppliers[0].supplier_id, "lines": 4,
                                 "quantity": 5}]
    assert result["waiting"] == [{"reason": "UNKNOWN_SKU", "lines": 1, "quantity": 1}]
    assert ok(client.get(w.url("/orders"), headers=w.headers))["items"] == []


def test_import_creates_good_orders_once(client: TestClient) -> None:
    w = routed(client)
    result = ok(upload(w, CSV.encode("utf-8-sig")))
    assert result["summary"]["orders_created"] == 3
    orders = ok(client.get(w.url("/orders"), headers=w.headers))["items"]
    order = next(o for o in orders if o["external_id"] == "3721456789012345678")
    assert order["paid_at"] == "2026-11-25T01:30:00Z"  # 09:30 in Shanghai
    assert [(ln["sku_code"], ln["quantity"], ln["unit_price_fen"]) for ln in order["lines"]] == [
        ("TEE-RED", 2, 5900), ("MUG-1", 1, 1250)]
    assert order["status"] == "assigned"
    again = ok(upload(w, CSV.encode("utf-8")))
    assert (again["summary"]["orders_created"], again["summary"]["orders_existing"]) == (0, 3)
    assert len(ok(client.get(w.url("/orders"), headers=w.headers))["items"]) == 3
    priced = next(o for o in orders if o["external_id"] == "1005")
    assert priced["lines"][0]["unit_price_fen"] == 123450


def test_xlsx_with_numbers_in_cells(client: TestClient) -> None:
    w = routed(client)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["external_id", "buyer_name", "buyer_phone", "province", "city", "district",
                  "address_detail", "sku_code", "quantity", "unit_price_fen"])
    sheet.append(["X-1", "张三", 13912345678, "浙江省", "杭州市", "西湖区", "文三路", "TEE-RED",
                  3, 5900])
    buffer = io.BytesIO()
    book.save(buffer)
    result = ok(upload(w, buffer.getvalue(), "orders.xlsx"))
    assert result["summary"]["orders_created"] == 1


@pytest.mark.parametrize(("content", "code"), [
    (b"a,b\n1,2\n", "SHEET_HEADER_INVALID"),
    (b"\xd0\xcf\x11\xe0rest-of-an-xls", "UNREADABLE_FILE"),
])
def test_unusable_file_is_422(client: TestClient, content: bytes, code: str) -> None:
    assert_problem(upload(routed(client), content), 422, code)


def test_another_shops_upload_is_404(client: TestClient) -> None:
    w1, w2 = routed(client), routed(client)
    response = client.post(w1.url("/orders:import"), headers=w2.headers,
                           files={"file": ("o.csv", CSV.encode(), "text/csv")})
    assert_problem(response, 404, "SHOP_NOT_FOUND")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DAIFA_DATABASE_URL", database_url)
    monkeypatch.setenv("DAIFA_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("DAIFA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DAIFA_PASSWORD_PROFILE", "cheapest")


def test_cli_import_with_progress_reports_rows(client: TestClient, cli_env: None,
                                               tmp_path: Path) -> None:
    w = routed(client)
    path = tmp_path / "orders.csv"
    path.write_bytes(CSV.encode("gb18030"))
    runner = CliRunner()
    dry = runner.invoke(app, ["orders", "import", str(path), "--shop", w.shop_id, "--dry-run"])
    assert dry.exit_code == 1, dry.output
    assert "dry run: 3 orders created, 0 already there, 2 rejected (7 rows)" in dry.output
    assert ok(client.get(w.url("/orders"), headers=w.headers))["items"] == []
    result = runner.invoke(app, ["orders", "import", str(path), "--shop", w.shop_id])
    assert result.exit_code == 1, result.output
    assert "3 orders created, 0 already there, 2 rejected" in result.output
    assert "第4行" in result.output and "quantity" in result.output
    assert w.suppliers[0].supplier_id in result.output  # the routing table
    again = runner.invoke(app, ["orders", "import", str(path), "--shop", w.shop_id, "--json"])
    assert json.loads(again.stdout)["summary"]["orders_existing"] == 3
    assert len(ok(client.get(w.url("/orders"), headers=w.headers))["items"]) == 3


def test_cli_import_of_an_unknown_shop_fails_cleanly(client: TestClient, cli_env: None,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(CSV.encode("utf-8"))
    result = CliRunner().invoke(app, ["orders", "import", str(path), "--shop", "SH1000000001"])
    assert result.exit_code == 4, result.output
    assert "SHOP_NOT_FOUND" in result.output


def test_utf16_files_and_ids_excel_rounded_are_refused(client: TestClient) -> None:
    w = routed(client)
    result = ok(upload(w, CSV.replace(",", "\t").replace('"¥1\t234.50"', "1234.50")
                       .encode("utf-16"), "orders.txt", dry_run="true"))
    assert result["summary"] == {"orders_created": 3, "orders_existing": 0, "orders_error": 2,
                                 "rows": 7}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["订单号", "收货人", "手机号", "省", "市", "区", "详细地址", "SKU编码", "数量",
                  "单价"])
    sheet.append([3.72145678901234e18, "张三", 13912345678, "浙江省", "杭州市", "西湖区", "路",
                  "TEE-RED", 1, 59])
    buffer = io.BytesIO()
    book.save(buffer)
    result = ok(upload(w, buffer.getvalue(), "orders.xlsx", dry_run="true"))
    (row,) = result["rows"]
    assert (row["status"], [(e["column"], e["code"]) for e in row["errors"]]) == (
        "error", [("external_id", "ID_NOT_TEXT")])


def test_order_file_limits_come_from_the_settings(client: TestClient) -> None:
    w = routed(client)
    with changed_settings(client, sheet_max_rows=6):
        assert_problem(upload(w, CSV.encode()), 422, "SHEET_TOO_LARGE")
    with changed_settings(client, upload_max_bytes=1024):
        assert_problem(upload(w, CSV.encode() + b" " * 1024), 413, "FILE_TOO_LARGE")
