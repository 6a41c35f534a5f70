"""Name keys without spaces or punctuation, so particles written apart or together match; and an
index on contacts.agent_id, for attributing a colleague's call-back to their department.

`parties.name_folded` held the folded name with its spaces ("van den broeck"); it now holds
handlers.identity.name_key ("vandenbroeck"). No column changes: the keys are recomputed from the
display names, and the trigram index of 0004 serves the new keys as it did the old.

Revision ID: 0006
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from handlers.identity import fold, name_key

revision = "0006"
down_revision = "0007"
branch_labels = None
depends_on = None

BATCH = 5000
parties = sa.table("parties", sa.column("id", sa.Integer), sa.column("display_name", sa.String),
                   sa.column("name_folded", sa.String))


def _rekey(key) -> None:
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(parties.c.id, parties.c.display_name)
            .where(parties.c.id > last, parties.c.display_name.is_not(None))
            .order_by(parties.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            parties.update().where(parties.c.id == sa.bindparam("pid"))
            .values(name_folded=sa.bindparam("key")),
            [{"pid": r.id, "key": key(r.display_name) or None} for r in rows],
        )
        last = rows[-1].id


def upgrade() -> None:
    _rekey(name_key)
    # Attributing a call-back to the colleague's department reads their answered queue calls.
    op.create_index("ix_contacts_agent_id", "contacts", ["agent_id"])


def downgrade() -> None:
    op.drop_index("ix_contacts_agent_id", table_name="contacts")
    _rekey(fold)
