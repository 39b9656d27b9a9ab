"""Migration 0006 (order changes) goes up, down and up again on each backend; the columns it
adds are NOT NULL with a server default of 0, so rows from before read as nothing cancelled."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from daifa.db.migrate import alembic_config, current_heads, upgrade

ADDED = {"shop_orders": "cancelled_quantity", "order_lines": "cancelled_quantity",
         "dispatch_lines": "cancel_quantity"}


def _columns(url: str, table: str) -> dict[str, dict[str, object]]:
    engine = create_engine(url)
    try:
        return {c["name"]: c for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_order_changes_migration_round_trip(fresh_url: str) -> None:
    upgrade(fresh_url, "0005")
    upgrade(fresh_url, "0006")
    assert current_heads(fresh_url) == ["0006"]
    for table, column in ADDED.items():
        added = _columns(fresh_url, table)[column]
        assert added["nullable"] is False
        assert "0" in str(added["default"])
    command.downgrade(alembic_config(fresh_url), "0005")
    for table, column in ADDED.items():
        assert column not in _columns(fresh_url, table)
    upgrade(fresh_url)
    for table, column in ADDED.items():
        assert column in _columns(fresh_url, table)
