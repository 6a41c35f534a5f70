"""GDPR: export everything held on a party, erase a party for good, and retention per channel."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from handlers.crm import tombstone_key, utc_now
from handlers.lookup import require_reason
from handlers.ports.store import UnitOfWork
from schemas.capture_policy import CapturePolicy
from schemas.timeline import ErasureReport

log = logging.getLogger(__name__)
RETENTION_ACTOR = "system:retention"


class UnknownParty(LookupError):
    """No party with this id (never erased, or erased already)."""


def export_party(
    uow: UnitOfWork, party_id: int, *, actor: str, reason: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Everything held on a citizen as JSON-ready data (right of access); audited."""
    reason = require_reason(reason)
    with uow:
        party = uow.parties.get(party_id)
        if party is None:
            raise UnknownParty(f"no party {party_id}")
        document = {
            "party_id": party.party_id,
            "display_name": party.display_name,
            "created_at": party.created_at.isoformat(),
            "identifiers": [i.model_dump(mode="json") for i in uow.parties.identifiers(party_id)],
            "contacts": [c.model_dump(mode="json") for c in uow.contacts.timeline(party_id)],
            "review_pairs": [
                p.model_dump(mode="json", exclude={"name_a", "name_b"})
                for p in uow.parties.pairs(None)
                if party_id in (p.party_a, p.party_b)
            ],
        }
        uow.ledger.audit(actor, "export", party_id, reason, now or utc_now())
        uow.commit()
    return document


def erase_party(
    uow: UnitOfWork, party_id: int, *, actor: str, reason: str, now: dt.datetime | None = None
) -> ErasureReport:
    """Delete the party, its identifiers and contacts; tombstones stop replays bringing them back.

    The audit keeps one 'erase' entry with counts, no personal data; every entry about the party then
    keeps only its hashed id (handlers/audit_chain.py), never erased with the citizen.
    """
    reason = require_reason(reason)
    now = now or utc_now()
    with uow:
        if uow.parties.get(party_id) is None:
            raise UnknownParty(f"no party {party_id}")
        event_ids = uow.contacts.event_ids_of(party_id)
        uow.ledger.add_tombstones((tombstone_key(e) for e in event_ids), now)
        uow.contacts.delete_events(event_ids)
        identifiers = uow.parties.delete(party_id)
        uow.ledger.audit(
            actor,
            "erase",
            party_id,
            reason,
            now,
            detail=f"{len(event_ids)} contacts, {identifiers} identifiers",
        )
        uow.privacy.forget_party(party_id)  # from now on the audit names the party only by its hash
        uow.commit()
    log.info("party erased", extra={"party_id": party_id, "contacts": len(event_ids)})
    return ErasureReport(party_id=party_id, contacts=len(event_ids), identifiers=identifiers)


def apply_retention(uow: UnitOfWork, policy: CapturePolicy, now: dt.datetime | None = None) -> dict[str, int]:
    """Erase contacts older than the policy's `retention_days` per channel (the enforce_retention timer).

    Expired contacts are tombstoned like erased ones; parties left without any contact go too (an
    identifier with no purpose left is not kept). A party and its first contact are written in one
    transaction, so no party is ever seen without a contact while it is being recorded.
    """
    now = now or utc_now()
    removed: dict[str, int] = {}
    with uow:
        for channel, days in sorted(policy.retention_days.items()):
            gone = uow.contacts.expire(channel, now - dt.timedelta(days=days))
            uow.ledger.add_tombstones((tombstone_key(e) for e in gone), now)
            removed[channel] = len(gone)
        removed["parties"] = uow.parties.delete_orphans(now)
        detail = ", ".join(f"{k} {v}" for k, v in removed.items())
        uow.ledger.audit(
            RETENTION_ACTOR, "retention", None, "capture policy retention_days", now, detail=detail
        )
        if policy.audit_retention_days is not None:
            removed["audit"] = uow.privacy.audit_prune(
                now - dt.timedelta(days=policy.audit_retention_days), now, RETENTION_ACTOR
            )
        uow.commit()
    return removed
