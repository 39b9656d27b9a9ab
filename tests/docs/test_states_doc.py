from __future__ import annotations

from pathlib import Path

from daifa.cli.statesdoc import render, tables

DOC = Path(__file__).resolve().parents[2] / "docs" / "states.md"


def test_states_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/states.md is stale: run `.venv/bin/daifa docs states --write`")


def test_every_table_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for module, name, _table in tables():
        assert f"`{module}.{name}`" in text
