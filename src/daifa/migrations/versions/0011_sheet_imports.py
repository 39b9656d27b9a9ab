"""sheet imports in the background

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 00:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import daifa.db.base

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    json_doc = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.create_table(
        "sheet_imports",
        sa.Column("id", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
                  autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("owner_scope", sa.String(length=10), nullable=False),
        sa.Column("owner_pk", sa.BigInteger(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("result", json_doc, nullable=True),
        sa.Column("error", json_doc, nullable=True),
        sa.Column("created_at", daifa.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", daifa.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sheet_imports")),
    )
    with op.batch_alter_table("sheet_imports", schema=None) as batch_op:
        batch_op.create_index("ix_sheet_imports_owner", ["owner_scope", "owner_pk"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_sheet_imports_created_at"), ["created_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sheet_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sheet_imports_created_at"))
        batch_op.drop_index("ix_sheet_imports_owner")
    op.drop_table("sheet_imports")
