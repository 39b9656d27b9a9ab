"""`daifa catalog import FILE --supplier SP...` lands good rows and reports bad ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from daifa.cli.main import app
from tests import factories as f
from tests.api.support import ok

CSV = ("商品编码,商品名称,SKU编码,供货价,库存\n"
       "TEE,T恤,TEE-M,19.90,5\n"
       "TEE,,TEE-L,abc,5\n")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DAIFA_DATABASE_URL", database_url)
    monkeypatch.setenv("DAIFA_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("DAIFA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DAIFA_PASSWORD_PROFILE", "cheapest")


def test_cli_import_reports_rows_and_is_idempotent(client: TestClient, cli_env: None,
                                                   tmp_path: Path) -> None:
    owner = f.person(client)
    supplier_id = f.supplier(client, owner)
    path = tmp_path / "products.csv"
    path.write_bytes(CSV.encode("gb18030"))
    runner = CliRunner()
    dry = runner.invoke(app, ["catalog", "import", str(path), "--supplier", supplier_id,
                              "--dry-run", "--json"])
    assert dry.exit_code == 1, dry.output
    assert json.loads(dry.stdout)["summary"] == {"created": 1, "updated": 0, "unchanged": 0,
                                                 "error": 1}
    result = runner.invoke(app, ["catalog", "import", str(path), "--supplier", supplier_id])
    assert result.exit_code == 1, result.output
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in result.output
    assert "第3行" in result.output and "supply_price" in result.output
    product = ok(client.get(f"/api/v1/suppliers/{supplier_id}/products/TEE",
                            headers=owner.headers))
    assert [(s["sku_code"], s["supply_price_fen"]) for s in product["skus"]] == [
        ("TEE-M", 1990)]
    again = runner.invoke(app, ["catalog", "import", str(path), "--supplier", supplier_id,
                                "--json"])
    assert json.loads(again.stdout)["summary"]["unchanged"] == 1


def test_cli_import_all_good_exits_zero_and_bad_supplier_is_an_error(
        client: TestClient, cli_env: None, tmp_path: Path) -> None:
    owner = f.person(client)
    supplier_id = f.supplier(client, owner)
    path = tmp_path / "good.csv"
    path.write_text("spu_code,title,sku_code,supply_price_fen\nP,品,A,100\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(app, ["catalog", "import", str(path), "--supplier",
                               supplier_id]).exit_code == 0
    shop_id = f.shop(client, owner)
    wrong = runner.invoke(app, ["catalog", "import", str(path), "--supplier", shop_id])
    assert wrong.exit_code == 2 and "NOT_A_SUPPLIER_ID" in wrong.output
