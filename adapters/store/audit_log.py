"""The audit log as a hash chain in SQL: append under a lock on the chain's head, read, verify, prune.

Appending locks the one `audit_head` row (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE
already admits one writer), so concurrent writers queue and each chains onto the entry committed
before it: the chain never forks. The lock is held until the writer's transaction ends, which is why
handlers audit at the end of their unit of work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from adapters.store.sql import insert_ignoring
from adapters.store.tables_ops import AuditEntry
from adapters.store.tables_privacy import AuditHead
from handlers.audit_chain import GENESIS, ChainedFields, ChainHead, StoredEntry, entry_hash, party_ref
from schemas.privacy import AuditView

HEAD_ID = 1
RETENTION_ACTION = "audit_retention"
READ_BATCH = 1000


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    party_id: int | None,
    reason: str,
    now: dt.datetime,
    detail: str | None = None,
    route: str | None = None,
    shown: Sequence[str] | None = None,
) -> int:
    """Chain one entry onto the head; its sequence number."""
    head = _locked_head(session)
    fields = ChainedFields(
        seq=head.seq + 1,
        at=now.astimezone(dt.UTC),
        actor=actor[:128],
        action=action[:32],
        party_ref=party_ref(party_id),
        reason=reason,
        detail=detail[:255] if detail else detail,
        route=route[:128] if route else route,
        shown=", ".join(sorted(set(shown))) if shown is not None else None,
    )
    digest = entry_hash(head.entry_hash, fields)
    session.execute(
        insert(AuditEntry).values(
            seq=fields.seq,
            at=fields.at,
            actor=fields.actor,
            action=fields.action,
            party_id=party_id,
            party_ref=fields.party_ref,
            reason=fields.reason,
            detail=fields.detail,
            route=fields.route,
            shown=fields.shown,
            prev_hash=head.entry_hash,
            entry_hash=digest,
        )
    )
    session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(seq=fields.seq, entry_hash=digest)
    )
    return fields.seq


def _locked_head(session: Session) -> ChainHead:
    """The head row, locked for this transaction (created at genesis if the table is empty)."""
    stmt = (
        select(AuditHead.seq, AuditHead.entry_hash, AuditHead.first_seq, AuditHead.anchor_hash)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
    )
    row = session.execute(stmt).first()
    if row is None:
        session.execute(
            insert_ignoring(session, AuditHead.__table__),
            {"id": HEAD_ID, "seq": 0, "entry_hash": GENESIS, "first_seq": 1, "anchor_hash": GENESIS},
        )
        row = session.execute(stmt).one()
    return ChainHead(row.seq, row.entry_hash, row.first_seq, row.anchor_hash)


def head(session: Session) -> ChainHead:
    row = session.execute(
        select(AuditHead.seq, AuditHead.entry_hash, AuditHead.first_seq, AuditHead.anchor_hash).where(
            AuditHead.id == HEAD_ID
        )
    ).first()
    return ChainHead(*row) if row is not None else ChainHead(0, GENESIS)


def stored_entries(session: Session) -> Iterator[StoredEntry]:
    """Every entry in chain order, read in batches (the audit of years does not fit in memory)."""
    after = -1
    while True:
        rows = list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(READ_BATCH)
            )
        )
        for r in rows:
            yield StoredEntry(_fields(r), r.party_id, r.prev_hash, r.entry_hash)
        if len(rows) < READ_BATCH:
            return
        after = rows[-1].seq
        session.expunge_all()


def retention_anchors(session: Session) -> list[str]:
    """The chain starts vouched for by retention entries (their detail names the new anchor)."""
    details = session.scalars(select(AuditEntry.detail).where(AuditEntry.action == RETENTION_ACTION))
    return [d.rsplit(" ", 1)[-1] for d in details if d]


def _fields(r: AuditEntry) -> ChainedFields:
    return ChainedFields(r.seq, r.at, r.actor, r.action, r.party_ref, r.reason, r.detail, r.route, r.shown)


def query(
    session: Session,
    *,
    party: int | None = None,
    actor: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 500,
) -> list[AuditView]:
    """Entries about a party (also after its erasure, by its hash), by an actor, or since an instant;
    oldest first."""
    stmt = select(AuditEntry)
    if party is not None:
        stmt = stmt.where(AuditEntry.party_ref == party_ref(party))
    if actor is not None:
        stmt = stmt.where(func.lower(AuditEntry.actor) == actor.strip().lower())
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    rows = session.scalars(stmt.order_by(AuditEntry.seq.desc()).limit(limit)).all()
    return [_view(r) for r in reversed(rows)]


def _view(r: AuditEntry) -> AuditView:
    return AuditView(
        seq=r.seq,
        at=r.at,
        actor=r.actor,
        action=r.action,
        party_id=r.party_id,
        party_ref=r.party_ref,
        route=r.route,
        reason=r.reason,
        detail=r.detail,
        shown=tuple(s for s in (r.shown or "").split(", ") if s),
        entry_hash=r.entry_hash,
    )


def forget_party(session: Session, party_id: int) -> None:
    """After erasure the audit names the party only by its hash (the chained field stays as it was)."""
    session.execute(update(AuditEntry).where(AuditEntry.party_id == party_id).values(party_id=None))


def prune_before(session: Session, before: dt.datetime, now: dt.datetime, actor: str) -> int:
    """Remove the oldest entries recorded before `before` (the policy's audit retention), keep the chain
    verifiable from the first kept entry, and record the removal as an entry of its own."""
    current = _locked_head(session)
    first_young = session.scalar(select(func.min(AuditEntry.seq)).where(AuditEntry.at >= before))
    last_old = (first_young - 1) if first_young is not None else current.seq
    if last_old < current.first_seq:
        return 0
    anchor = session.scalar(select(AuditEntry.entry_hash).where(AuditEntry.seq == last_old))
    gone = session.execute(delete(AuditEntry).where(AuditEntry.seq <= last_old)).rowcount
    session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(first_seq=last_old + 1, anchor_hash=anchor)
    )
    append(
        session,
        actor=actor,
        action=RETENTION_ACTION,
        party_id=None,
        reason="policy audit_retention_days",
        now=now,
        detail=f"entries {current.first_seq}-{last_old} removed; chain now starts after {anchor}",
    )
    return gone
