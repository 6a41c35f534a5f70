"""Identity conflicts: list the flagged pairs, merge two parties into one, or keep them apart (split)."""

from __future__ import annotations

import datetime as dt

from handlers.crm import utc_now
from handlers.gdpr import UnknownParty
from handlers.lookup import require_reason
from handlers.ports.store import UnitOfWork
from schemas.timeline import ReviewPairView


def review_pairs(
    uow: UnitOfWork, *, actor: str, status: str | None = "open", now: dt.datetime | None = None
) -> list[ReviewPairView]:
    """The flagged pairs (open by default); reading them shows names, so it is audited."""
    with uow:
        pairs = uow.parties.pairs(status)
        uow.ledger.audit(
            actor, "review", None, "identity conflict review", now or utc_now(), detail=f"{len(pairs)} pairs"
        )
        uow.commit()
    return pairs


def merge_parties(
    uow: UnitOfWork, keep: int, other: int, *, actor: str, reason: str, now: dt.datetime | None = None
) -> None:
    """One citizen after all: `other`'s identifiers and contacts move to `keep`; `other` is deleted."""
    reason = require_reason(reason)
    if keep == other:
        raise ValueError("cannot merge a party with itself")
    now = now or utc_now()
    with uow:
        for pid in (keep, other):
            if uow.parties.get(pid) is None:
                raise UnknownParty(f"no party {pid}")
        uow.parties.resolve(keep, other, "merged", actor, now)
        uow.parties.merge(keep, other, now)
        uow.ledger.audit(actor, "merge", keep, reason, now, detail=f"merged party {other}")
        uow.ledger.audit(actor, "merged_into", other, reason, now, detail=f"into party {keep}")
        uow.commit()


def split_parties(
    uow: UnitOfWork, a: int, b: int, *, actor: str, reason: str, now: dt.datetime | None = None
) -> bool:
    """Two different people: close the pair as 'split' (it is not flagged again); False if none open."""
    reason = require_reason(reason)
    now = now or utc_now()
    with uow:
        done = uow.parties.resolve(a, b, "split", actor, now)
        if done:
            for pid, peer in ((a, b), (b, a)):
                uow.ledger.audit(actor, "split", pid, reason, now, detail=f"kept apart from party {peer}")
        uow.commit()
    return done
