"""Ledger repository: erasure tombstones, skip records, the failure log and the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from adapters.store import audit_log
from adapters.store.sql import insert_ignoring
from adapters.store.tables_ops import AuditEntry, ErasureTombstone, FailureRecord, SkipRecord
from handlers.audit_chain import party_ref


class SqlLedger:
    def __init__(self, session: Session) -> None:
        self.session = session

    def is_erased(self, event_hash: str) -> bool:
        found = self.session.scalar(
            select(ErasureTombstone.event_hash).where(ErasureTombstone.event_hash == event_hash)
        )
        return found is not None

    def add_tombstones(self, event_hashes: Iterable[str], now: dt.datetime) -> None:
        rows = [{"event_hash": h, "erased_at": now} for h in event_hashes]
        for chunk in (rows[i : i + 1000] for i in range(0, len(rows), 1000)):
            self.session.execute(insert_ignoring(self.session, ErasureTombstone.__table__), chunk)

    def add_skip(self, hashed_source_id: str, reason: str, now: dt.datetime) -> bool:
        stmt = insert_ignoring(self.session, SkipRecord.__table__).values(
            hashed_source_id=hashed_source_id, reason=reason, recorded_at=now
        )
        return self.session.execute(stmt.returning(SkipRecord.id)).first() is not None

    def add_failure(self, message_id: str, entity: str, reason: str, now: dt.datetime) -> None:
        self.session.execute(
            insert(FailureRecord).values(
                message_id=message_id, entity=entity, reason=reason[:255], recorded_at=now
            )
        )

    def audit(
        self,
        actor: str,
        action: str,
        party_id: int | None,
        reason: str,
        now: dt.datetime,
        detail: str | None = None,
        *,
        route: str | None = None,
        shown: Sequence[str] | None = None,
    ) -> None:
        """Chain an entry onto the audit (adapters/store/audit_log.py): call it last in a unit of work,
        it holds the chain's lock until the commit."""
        audit_log.append(
            self.session, actor=actor, action=action, party_id=party_id, reason=reason, now=now,
            detail=detail, route=route, shown=shown,
        )

    def audit_entries(self, party_id: int | None = None) -> list[AuditEntry]:
        """For export and tests: the audit trail, oldest first (optionally of one party)."""
        stmt = select(AuditEntry).order_by(AuditEntry.seq)
        if party_id is not None:  # by its hash: also the entries about a party erased since
            stmt = stmt.where(AuditEntry.party_ref == party_ref(party_id))
        return list(self.session.scalars(stmt))
