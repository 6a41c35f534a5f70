"""Graph subscriptions and the nonce behind each clientState.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

TS = sa.DateTime(timezone=True)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "graph_subscriptions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("resource", sa.String(length=255), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_subscriptions")),
    )
    op.create_index(op.f("ix_graph_subscriptions_resource"), "graph_subscriptions", ["resource"])


def downgrade() -> None:
    op.drop_index(op.f("ix_graph_subscriptions_resource"), table_name="graph_subscriptions")
    op.drop_table("graph_subscriptions")
