from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from daifa.cli.errorsdoc import codes, render
from daifa.cli.main import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def test_errors_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/errors.md is stale: run `.venv/bin/daifa docs errors --write`")


def test_every_code_is_listed_once() -> None:
    text = DOC.read_text(encoding="utf-8")
    listed = [e.code for e in codes()]
    assert len(listed) == len(set(listed))
    for code in ("NOT_A_SUPPLIER_ID", "INVALID_TRANSITION", "IDEMPOTENCY_KEY_REUSED",
                 "DISPATCH_ORDER_NOT_FOUND", *listed):
        assert f"| `{code}` |" in text, code


def test_the_command_writes_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["docs", "errors", "--write"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "docs" / "errors.md").read_text(encoding="utf-8") == render()
