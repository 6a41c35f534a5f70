"""Catch-up positions (delta links, call versions seen) and counters of discarded notifications.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

TS = sa.DateTime(timezone=True)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Rich mail resources carry a $select, filtered call resources a participant list: over 255.
    with op.batch_alter_table("graph_subscriptions") as batch:
        batch.alter_column("resource", existing_type=sa.String(length=255), type_=sa.String(length=1024),
                           existing_nullable=False)
    op.create_table(
        "graph_sync_state",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_graph_sync_state")),
    )
    op.create_index(op.f("ix_graph_sync_state_updated_at"), "graph_sync_state", ["updated_at"])
    op.create_table(
        "graph_discards",
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("reason", name=op.f("pk_graph_discards")),
    )


def downgrade() -> None:
    op.drop_table("graph_discards")
    op.drop_index(op.f("ix_graph_sync_state_updated_at"), table_name="graph_sync_state")
    op.drop_table("graph_sync_state")
    with op.batch_alter_table("graph_subscriptions") as batch:
        batch.alter_column("resource", existing_type=sa.String(length=1024), type_=sa.String(length=255),
                           existing_nullable=False)
