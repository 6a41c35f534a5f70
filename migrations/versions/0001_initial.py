"""The initial CRM store schema: parties, identifiers, contacts, bookkeeping.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

TS = sa.DateTime(timezone=True)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("upn", sa.String(length=255), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_party_id"), "audit_log", ["party_id"])
    op.create_table(
        "departments",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("restricted_group", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_departments")),
    )
    op.create_table(
        "erasure_tombstones",
        sa.Column("event_hash", sa.String(length=64), nullable=False),
        sa.Column("erased_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("event_hash", name=op.f("pk_erasure_tombstones")),
    )
    op.create_table(
        "failure_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("entity", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failure_log")),
    )
    op.create_index(op.f("ix_failure_log_message_id"), "failure_log", ["message_id"])
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=255), nullable=True),
        sa.Column("name_folded", sa.String(length=255), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parties")),
    )
    op.create_index(op.f("ix_parties_name_folded"), "parties", ["name_folded"])
    op.create_table(
        "skip_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hashed_source_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skip_records")),
        sa.UniqueConstraint("hashed_source_id", name=op.f("uq_skip_records_hashed_source_id")),
    )
    op.create_index(op.f("ix_skip_records_reason"), "skip_records", ["reason"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("duration_seconds", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("conversation_id", sa.String(length=512), nullable=True),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("source_system", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=1024), nullable=False),
        sa.Column("source_uri", sa.String(length=2048), nullable=True),
        sa.Column("mailboxes", sa.JSON(), nullable=False),
        sa.Column("captured_at", TS, nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_contacts_agent_id_agents"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_contacts_party_id_parties"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("event_id", name=op.f("uq_contacts_event_id")),
    )
    op.create_index(op.f("ix_contacts_occurred_at"), "contacts", ["occurred_at"])
    op.create_index("ix_contacts_party_id_occurred_at", "contacts", ["party_id", "occurred_at"])
    op.create_table(
        "party_identifiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=512), nullable=False),
        sa.Column("label", sa.String(length=512), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["parties.id"],
            name=op.f("fk_party_identifiers_party_id_parties"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_identifiers")),
        sa.UniqueConstraint("type", "value", name=op.f("uq_party_identifiers_type_value")),
    )
    op.create_index(op.f("ix_party_identifiers_party_id"), "party_identifiers", ["party_id"])
    op.create_table(
        "review_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("party_a", sa.Integer(), nullable=False),
        sa.Column("party_b", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("resolved_by", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["party_a"], ["parties.id"], name=op.f("fk_review_pairs_party_a_parties"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["party_b"], ["parties.id"], name=op.f("fk_review_pairs_party_b_parties"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_pairs")),
        sa.UniqueConstraint("party_a", "party_b", name=op.f("uq_review_pairs_party_a_party_b")),
    )
    op.create_index(op.f("ix_review_pairs_party_a"), "review_pairs", ["party_a"])
    op.create_index(op.f("ix_review_pairs_party_b"), "review_pairs", ["party_b"])
    op.create_index(op.f("ix_review_pairs_status"), "review_pairs", ["status"])
    op.create_table(
        "contact_departments",
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("department", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_departments_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department"], ["departments.name"], name=op.f("fk_contact_departments_department_departments")
        ),
        sa.PrimaryKeyConstraint("contact_id", "department", name=op.f("pk_contact_departments")),
    )
    op.create_index(op.f("ix_contact_departments_department"), "contact_departments", ["department"])


def downgrade() -> None:
    op.drop_index(op.f("ix_contact_departments_department"), table_name="contact_departments")
    op.drop_table("contact_departments")
    op.drop_index(op.f("ix_review_pairs_status"), table_name="review_pairs")
    op.drop_index(op.f("ix_review_pairs_party_b"), table_name="review_pairs")
    op.drop_index(op.f("ix_review_pairs_party_a"), table_name="review_pairs")
    op.drop_table("review_pairs")
    op.drop_index(op.f("ix_party_identifiers_party_id"), table_name="party_identifiers")
    op.drop_table("party_identifiers")
    op.drop_index("ix_contacts_party_id_occurred_at", table_name="contacts")
    op.drop_index(op.f("ix_contacts_occurred_at"), table_name="contacts")
    op.drop_table("contacts")
    op.drop_index(op.f("ix_skip_records_reason"), table_name="skip_records")
    op.drop_table("skip_records")
    op.drop_index(op.f("ix_parties_name_folded"), table_name="parties")
    op.drop_table("parties")
    op.drop_index(op.f("ix_failure_log_message_id"), table_name="failure_log")
    op.drop_table("failure_log")
    op.drop_table("erasure_tombstones")
    op.drop_table("departments")
    op.drop_index(op.f("ix_audit_log_party_id"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("agents")
