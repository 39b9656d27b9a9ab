"""order changes: cancelled units per shop order and line, units asked to cancel per dispatch line

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Existing rows start at 0: nothing was cancelled before these columns existed.
_COLUMNS = (
    ("shop_orders", "cancelled_quantity"),
    ("order_lines", "cancelled_quantity"),
    ("dispatch_lines", "cancel_quantity"),
)


def upgrade() -> None:
    for table, column in _COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Integer(), server_default="0",
                                          nullable=False))


def downgrade() -> None:
    for table, column in reversed(_COLUMNS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
