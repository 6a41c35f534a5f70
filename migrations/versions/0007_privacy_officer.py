"""The data-protection officer's side: the audit as a hash chain, erasure requests (four eyes),
rectification rules, suppressions and restrictions.

Existing audit entries are chained in their recorded order (time, then id) so `loket audit verify`
holds from the first one.

Revision ID: 0007
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from handlers.audit_chain import GENESIS, ChainedFields, entry_hash, party_ref

TS = sa.DateTime(timezone=True)

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None

AUDIT = sa.table(
    "audit_log",
    sa.column("id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("at", TS),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("party_id", sa.Integer),
    sa.column("party_ref", sa.String),
    sa.column("reason", sa.Text),
    sa.column("detail", sa.String),
    sa.column("route", sa.String),
    sa.column("shown", sa.Text),
    sa.column("prev_hash", sa.String),
    sa.column("entry_hash", sa.String),
)
HEAD = sa.table(
    "audit_head",
    sa.column("id", sa.Integer),
    sa.column("seq", sa.Integer),
    sa.column("entry_hash", sa.String),
    sa.column("first_seq", sa.Integer),
    sa.column("anchor_hash", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("audit_log") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("party_ref", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("route", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("shown", sa.Text(), nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=False),
        sa.Column("anchor_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    _chain_existing_entries()
    with op.batch_alter_table("audit_log") as batch:
        for name in ("seq", "prev_hash", "entry_hash"):
            batch.alter_column(
                name, existing_type=sa.Integer() if name == "seq" else sa.String(length=64), nullable=False
            )
        batch.create_unique_constraint(op.f("uq_audit_log_seq"), ["seq"])
        batch.create_index(op.f("ix_audit_log_party_ref"), ["party_ref"])
        batch.create_index(op.f("ix_audit_log_actor"), ["actor"])
    _create_privacy_tables()


def _chain_existing_entries() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(AUDIT).order_by(AUDIT.c.at, AUDIT.c.id)).all()
    prev = GENESIS
    for seq, row in enumerate(rows, start=1):
        fields = ChainedFields(
            seq=seq,
            at=_utc(row.at),
            actor=row.actor,
            action=row.action,
            party_ref=party_ref(row.party_id),
            reason=row.reason,
            detail=row.detail,
            route=None,
            shown=None,
        )
        digest = entry_hash(prev, fields)
        bind.execute(
            AUDIT.update()
            .where(AUDIT.c.id == row.id)
            .values(seq=seq, party_ref=fields.party_ref, prev_hash=prev, entry_hash=digest)
        )
        prev = digest
    bind.execute(HEAD.insert().values(id=1, seq=len(rows), entry_hash=prev, first_seq=1, anchor_hash=GENESIS))


def _utc(value):
    import datetime as dt

    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _create_privacy_tables() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("party_ref", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=128), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("detail", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    op.create_index(op.f("ix_erasure_requests_party_id"), "erasure_requests", ["party_id"])
    op.create_index(op.f("ix_erasure_requests_party_ref"), "erasure_requests", ["party_ref"])
    op.create_index(op.f("ix_erasure_requests_status"), "erasure_requests", ["status"])
    op.create_table(
        "rectification_rules",
        sa.Column("rule_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("rule_hash", name=op.f("pk_rectification_rules")),
    )
    op.create_table(
        "suppressions",
        sa.Column("identifier_hash", sa.String(length=64), nullable=False),
        sa.Column("party_ref", sa.String(length=64), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("identifier_hash", name=op.f("pk_suppressions")),
    )
    op.create_index(op.f("ix_suppressions_party_ref"), "suppressions", ["party_ref"])
    op.create_table(
        "party_restrictions",
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("restricted_at", TS, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["parties.id"],
            name=op.f("fk_party_restrictions_party_id_parties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("party_id", name=op.f("pk_party_restrictions")),
    )


def downgrade() -> None:
    op.drop_table("party_restrictions")
    op.drop_index(op.f("ix_suppressions_party_ref"), table_name="suppressions")
    op.drop_table("suppressions")
    op.drop_table("rectification_rules")
    op.drop_index(op.f("ix_erasure_requests_status"), table_name="erasure_requests")
    op.drop_index(op.f("ix_erasure_requests_party_ref"), table_name="erasure_requests")
    op.drop_index(op.f("ix_erasure_requests_party_id"), table_name="erasure_requests")
    op.drop_table("erasure_requests")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_index(op.f("ix_audit_log_actor"))
        batch.drop_index(op.f("ix_audit_log_party_ref"))
        batch.drop_constraint(op.f("uq_audit_log_seq"), type_="unique")
        for name in ("entry_hash", "prev_hash", "shown", "route", "party_ref", "seq"):
            batch.drop_column(name)
