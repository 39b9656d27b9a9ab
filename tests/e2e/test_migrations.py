"""The migrations build exactly the schema the models describe, on each backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from daifa.db.uow import Database
from daifa.registry import metadata


def _differences(db: Database) -> list[Any]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "render_as_batch": True})
        return list(compare_metadata(context, metadata))


def test_models_and_migrations_agree(db: Database) -> None:
    assert _differences(db) == []
