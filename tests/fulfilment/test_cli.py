"""`daifa shipments import FILE --supplier SP...`: good rows ship, bad rows are reported, the
same file twice ships nothing twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from daifa.cli.main import app
from tests.fulfilment.helpers import routed


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> None:
    monkeypatch.setenv("DAIFA_DATABASE_URL", database_url)
    monkeypatch.setenv("DAIFA_SECRET_KEY", "test-secret-key")
    monkeypatch.setenv("DAIFA_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("DAIFA_PASSWORD_PROFILE", "cheapest")


def test_cli_ships_good_rows_and_reports_bad_ones(client: TestClient, cli_env: None,
                                                  tmp_path: Path) -> None:
    r = routed(client)
    no = r.accepted("CLI-1")["dispatch_order_no"]
    path = tmp_path / "发货.csv"
    path.write_bytes((f"代发单号,快递公司,快递单号\n{no},顺丰,SF1234567890123\n"
                      "DO2611259999999901,SF,SF1234567890124\n").encode("gb18030"))
    runner = CliRunner()
    supplier = r.first.supplier_id
    dry = runner.invoke(app, ["shipments", "import", str(path), "--supplier", supplier,
                              "--dry-run", "--json"])
    assert dry.exit_code == 1, dry.output
    document = json.loads(dry.stdout)
    assert document["summary"] == {"rows": 2, "shipped": 0, "ready": 1, "already_shipped": 0,
                                   "error": 1, "dispatch_orders": 1}
    assert r.get(no)["status"] == "accepted"
    result = runner.invoke(app, ["shipments", "import", str(path), "--supplier", supplier])
    assert result.exit_code == 1, result.output
    assert "第3行" in result.output and "DISPATCH_ORDER_NOT_FOUND" in result.output
    assert "1 row(s) shipped (1 dispatch orders), 0 already shipped, 1 rejected" in \
        result.output
    assert r.get(no)["status"] == "shipped"
    again = runner.invoke(app, ["shipments", "import", str(path), "--supplier", supplier,
                                "--json"])
    rows = json.loads(again.stdout)["rows"]
    assert [row["status"] for row in rows] == ["already_shipped", "error"]


def test_cli_unknown_supplier_and_bad_file(client: TestClient, cli_env: None,
                                           tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("x,y\n1,2\n", encoding="utf-8")
    runner = CliRunner()
    unknown = runner.invoke(app, ["shipments", "import", str(path), "--supplier", "SH1234567890"])
    assert unknown.exit_code == 2 and "NOT_A_SUPPLIER_ID" in unknown.output
    r = routed(client, suppliers=1)
    bad = runner.invoke(app, ["shipments", "import", str(path), "--supplier",
                              r.first.supplier_id])
    assert bad.exit_code == 2 and "SHEET_HEADER_INVALID" in bad.output
