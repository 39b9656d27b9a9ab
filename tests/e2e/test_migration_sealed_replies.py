"""Migration 0010 seals the replies kept before it: after it the table holds no key and no
buyer in plain text, and a retry with the old key still gets its first reply."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import create_engine, text

from daifa.db.migrate import alembic_config, upgrade
from daifa.idempotency import sealing

REPLY = '{"order_id": "7", "buyer": {"name": "金丝雀", "phone": "13912345678"}}'


def test_kept_replies_are_sealed_under_their_keys(fresh_url: str) -> None:
    upgrade(fresh_url, "0009")
    engine = create_engine(fresh_url)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO idempotency_keys (caller, method, path, key, fingerprint, state, "
                "response_status, response_body, locked_until, created_at) VALUES "
                "('shop:1:2', 'POST', '/api/v1/shops/SH1/orders', 'old-key', 'f', 'done', "
                "201, :reply, :now, :now), "
                "('shop:1:2', 'POST', '/api/v1/shops/SH1/orders', 'busy-key', 'f', "
                "'running', NULL, NULL, :now, :now)"), {"reply": REPLY, "now": now})
        upgrade(fresh_url, "0010")
        with engine.begin() as connection:
            rows = connection.execute(text(
                "SELECT key, response_body FROM idempotency_keys ORDER BY id")).all()
        scope = "shop:1:2 POST /api/v1/shops/SH1/orders"
        assert [row.key for row in rows] == [sealing.digest(scope, "old-key"),
                                             sealing.digest(scope, "busy-key")]
        assert "金丝雀" not in rows[0].response_body and rows[1].response_body is None
        assert sealing.unseal(scope, "old-key", rows[0].response_body) == REPLY
        command.downgrade(alembic_config(fresh_url), "0009")
        with engine.begin() as connection:
            assert connection.execute(text("SELECT count(*) FROM idempotency_keys")).scalar() == 0
    finally:
        engine.dispose()
