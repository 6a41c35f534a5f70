"""Privacy repository: reading and checking the audit, erasure requests, rectification rules,
suppressions and restrictions (the data-protection officer's side of the store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from adapters.store import audit_log
from adapters.store.sql import insert_ignoring
from adapters.store.tables import Contact, Party, PartyIdentifier
from adapters.store.tables_ops import AuditEntry
from adapters.store.tables_privacy import ErasureRequest, PartyRestriction, RectificationRule, Suppression
from handlers.audit_chain import ChainHead, ChainReport, party_ref, verify_chain
from handlers.ports.store import Identifier, IdentifierType
from schemas.privacy import AuditView, ErasureRequestView

CHUNK = 500


class SqlPrivacy:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- the audit -------------------------------------------------------------------------------
    def audit_query(
        self,
        *,
        party: int | None = None,
        actor: str | None = None,
        since: dt.datetime | None = None,
        limit: int = 500,
    ) -> list[AuditView]:
        return audit_log.query(self.session, party=party, actor=actor, since=since, limit=limit)

    def audit_verify(self) -> ChainReport:
        return verify_chain(
            audit_log.head(self.session),
            audit_log.stored_entries(self.session),
            audit_log.retention_anchors(self.session),
        )

    def audit_head(self) -> ChainHead:
        return audit_log.head(self.session)

    def audit_hashes(self, seqs: Iterable[int]) -> dict[int, str]:
        wanted = list(seqs)
        rows = self.session.execute(
            select(AuditEntry.seq, AuditEntry.entry_hash).where(AuditEntry.seq.in_(wanted))
        )
        return {seq: digest for seq, digest in rows} if wanted else {}

    def audit_prune(self, before: dt.datetime, now: dt.datetime, actor: str) -> int:
        return audit_log.prune_before(self.session, before, now, actor)

    def forget_party(self, party_id: int) -> None:
        """After erasure: the audit and the erasure requests keep only the party's hash."""
        audit_log.forget_party(self.session, party_id)
        self.session.execute(
            update(ErasureRequest).where(ErasureRequest.party_id == party_id).values(party_id=None)
        )

    # --- erasure requests (four eyes) ------------------------------------------------------------
    def add_erasure_request(
        self, party_id: int, reason: str, actor: str, now: dt.datetime
    ) -> ErasureRequestView:
        new_id = self.session.execute(
            insert(ErasureRequest)
            .values(
                party_id=party_id,
                party_ref=party_ref(party_id),
                reason=reason,
                requested_by=actor[:128],
                requested_at=now,
                status="pending",
            )
            .returning(ErasureRequest.id)
        ).scalar_one()
        found = self.erasure_request(new_id)
        assert found is not None
        return found

    def erasure_request(self, request_id: int, *, lock: bool = False) -> ErasureRequestView | None:
        stmt = select(ErasureRequest).where(ErasureRequest.id == request_id)
        row = self.session.scalar(stmt.with_for_update() if lock else stmt)
        return _request_view(row) if row is not None else None

    def erasure_requests(self, status: str | None = None) -> list[ErasureRequestView]:
        stmt = select(ErasureRequest).order_by(ErasureRequest.id)
        if status:
            stmt = stmt.where(ErasureRequest.status == status)
        return [_request_view(r) for r in self.session.scalars(stmt)]

    def decide_erasure(
        self, request_id: int, status: str, actor: str, now: dt.datetime, detail: str | None = None
    ) -> None:
        self.session.execute(
            update(ErasureRequest)
            .where(ErasureRequest.id == request_id)
            .values(status=status, decided_by=actor[:128], decided_at=now, detail=detail)
        )

    # --- rectification rules ---------------------------------------------------------------------
    def add_rectification(self, rule_hash: str, kind: str, now: dt.datetime) -> None:
        self.session.execute(
            insert_ignoring(self.session, RectificationRule.__table__),
            {"rule_hash": rule_hash, "kind": kind, "created_at": now},
        )

    def rectified(self, rule_hashes: Iterable[str]) -> set[str]:
        return self._present(RectificationRule.rule_hash, rule_hashes)

    # --- suppressions ----------------------------------------------------------------------------
    def add_suppressions(self, identifier_hashes: Iterable[str], ref: str | None, now: dt.datetime) -> None:
        rows = [{"identifier_hash": h, "party_ref": ref, "created_at": now} for h in identifier_hashes]
        if rows:
            self.session.execute(insert_ignoring(self.session, Suppression.__table__), rows)

    def suppressed(self, identifier_hashes: Iterable[str]) -> set[str]:
        return self._present(Suppression.identifier_hash, identifier_hashes)

    # --- restrictions ----------------------------------------------------------------------------
    def restrict(self, party_id: int, reason: str, now: dt.datetime) -> None:
        self.session.execute(
            insert_ignoring(self.session, PartyRestriction.__table__),
            {"party_id": party_id, "restricted_at": now, "reason": reason},
        )

    def lift_restriction(self, party_id: int) -> bool:
        return bool(
            self.session.execute(
                delete(PartyRestriction).where(PartyRestriction.party_id == party_id)
            ).rowcount
        )

    def restricted(self, party_ids: Sequence[int]) -> set[int]:
        return {int(p) for p in self._present(PartyRestriction.party_id, party_ids)}

    # --- what restore-check matches the privacy log's hashes against ----------------------------
    def all_party_ids(self) -> list[int]:
        return list(self.session.scalars(select(Party.id)))

    def all_event_ids(self) -> list[UUID]:
        return [UUID(e) for e in self.session.scalars(select(Contact.event_id))]

    def all_identifiers(self) -> list[tuple[int, Identifier]]:
        rows = self.session.execute(
            select(PartyIdentifier.party_id, PartyIdentifier.type, PartyIdentifier.value)
        )
        return [(pid, Identifier(IdentifierType(kind), value)) for pid, kind, value in rows]

    def all_names(self) -> list[tuple[int, str]]:
        rows = self.session.execute(
            select(Party.id, Party.display_name).where(Party.display_name.is_not(None))
        )
        return [(pid, name) for pid, name in rows]

    def close_requests(self, ref: str, now: dt.datetime) -> None:
        """Requests about a party erased (again, by restore-check) are marked erased."""
        self.session.execute(
            update(ErasureRequest)
            .where(ErasureRequest.party_ref == ref, ErasureRequest.status.in_(("pending", "approved")))
            .values(status="erased", decided_at=now, party_id=None, detail="re-applied by restore-check")
        )

    def _present(self, column, values: Iterable) -> set:
        wanted = list(dict.fromkeys(values))
        found: set = set()
        for i in range(0, len(wanted), CHUNK):
            found |= set(self.session.scalars(select(column).where(column.in_(wanted[i : i + CHUNK]))))
        return found


def _request_view(r: ErasureRequest) -> ErasureRequestView:
    return ErasureRequestView(
        id=r.id,
        party_id=r.party_id,
        party_ref=r.party_ref,
        reason=r.reason,
        requested_by=r.requested_by,
        requested_at=r.requested_at,
        status=r.status,
        decided_by=r.decided_by,
        decided_at=r.decided_at,
        detail=r.detail,
    )
