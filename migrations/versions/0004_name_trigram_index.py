"""A trigram index for name search on PostgreSQL (LIKE '%…%' cannot use a b-tree).

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite scans the folded names; fine at a city's size
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index("ix_parties_name_folded_trgm", "parties", ["name_folded"], postgresql_using="gin",
                    postgresql_ops={"name_folded": "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_parties_name_folded_trgm", table_name="parties")
