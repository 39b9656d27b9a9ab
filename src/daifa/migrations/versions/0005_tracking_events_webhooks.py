"""tracking events, webhook endpoints and deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 08:54:07.704211
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import daifa.db.base

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tracking_raw_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", daifa.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("processed_at", daifa.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("new_events", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_raw_events")),
    )
    with op.batch_alter_table("tracking_raw_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracking_raw_events_received_at"), ["received_at"], unique=False
        )

    op.create_table(
        "tracking_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=120), nullable=True),
        sa.Column("carrier_code", sa.String(length=16), nullable=False),
        sa.Column("tracking_no", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", daifa.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("raw_pk", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column("received_at", daifa.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_pk"],
            ["tracking_raw_events.id"],
            name=op.f("fk_tracking_events_raw_pk_tracking_raw_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_events")),
        sa.UniqueConstraint(
            "provider", "event_key", name=op.f("uq_tracking_events_provider_event_key")
        ),
    )
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tracking_events_parcel",
            ["carrier_code", "tracking_no", "occurred_at"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_tracking_events_raw_pk"), ["raw_pk"], unique=False)

    op.create_table(
        "webhook_endpoints",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("shop_pk", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column(
            "supplier_pk", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column(
            "event_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(length=128), nullable=False),
        sa.Column("previous_secret", sa.String(length=128), nullable=True),
        sa.Column("previous_secret_until", daifa.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", daifa.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", daifa.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", daifa.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(shop_pk IS NULL) <> (supplier_pk IS NULL)",
            name=op.f("ck_webhook_endpoints_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["shop_pk"], ["shops.id"], name=op.f("fk_webhook_endpoints_shop_pk_shops")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_pk"],
            ["suppliers.id"],
            name=op.f("fk_webhook_endpoints_supplier_pk_suppliers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
        sa.UniqueConstraint("public_id", name=op.f("uq_webhook_endpoints_public_id")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_endpoints_shop_pk"), ["shop_pk"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_webhook_endpoints_supplier_pk"), ["supplier_pk"], unique=False
        )

    op.create_table(
        "webhook_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=80), nullable=False),
        sa.Column("shop_pk", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True),
        sa.Column(
            "supplier_pk", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=True
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", daifa.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shop_pk"], ["shops.id"], name=op.f("fk_webhook_events_shop_pk_shops")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_pk"], ["suppliers.id"], name=op.f("fk_webhook_events_supplier_pk_suppliers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_events")),
        sa.UniqueConstraint("public_id", name=op.f("uq_webhook_events_public_id")),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("public_id", sa.Uuid(), nullable=False),
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False),
        sa.Column(
            "endpoint_pk", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", daifa.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", daifa.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", daifa.db.base.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_pk"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_pk_webhook_endpoints"),
        ),
        sa.ForeignKeyConstraint(
            ["event_pk"],
            ["webhook_events.id"],
            name=op.f("fk_webhook_deliveries_event_pk_webhook_events"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("public_id", name=op.f("uq_webhook_deliveries_public_id")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_deliveries_endpoint", ["endpoint_pk", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_event_pk"), ["event_pk"], unique=False
        )

    op.create_table(
        "webhook_attempts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "delivery_pk", sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", daifa.db.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("response_excerpt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_pk"],
            ["webhook_deliveries.id"],
            name=op.f("fk_webhook_attempts_delivery_pk_webhook_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_attempts")),
    )
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webhook_attempts_delivery_pk"), ["delivery_pk"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_attempts_delivery_pk"))

    op.drop_table("webhook_attempts")
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_event_pk"))
        batch_op.drop_index("ix_webhook_deliveries_endpoint")

    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_events")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_supplier_pk"))
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_shop_pk"))

    op.drop_table("webhook_endpoints")
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_events_raw_pk"))
        batch_op.drop_index("ix_tracking_events_parcel")

    op.drop_table("tracking_events")
    with op.batch_alter_table("tracking_raw_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_raw_events_received_at"))

    op.drop_table("tracking_raw_events")
