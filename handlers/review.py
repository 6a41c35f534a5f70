"""Identity conflicts: list the flagged pairs, merge two parties into one, or keep them apart (split)."""

from __future__ import annotations

import datetime as dt

from handlers.crm import utc_now
from handlers.gdpr import UnknownParty
from handlers.lookup import Visibility, everyone, require_reason, restricted_only
from handlers.ports.store import UnitOfWork
from schemas.timeline import ReviewPairView


def review_pairs(
    uow: UnitOfWork,
    *,
    actor: str,
    status: str | None = "open",
    now: dt.datetime | None = None,
    can_see: Visibility = everyone,
) -> list[ReviewPairView]:
    """The flagged pairs (open by default); reading them shows names, so it is audited.

    A party whose contacts the reader may not see (a restricted department's client) appears by
    id and conflict reason only: its name is left out and `restricted` says why (issue 15).
    """
    with uow:
        pairs = uow.parties.pairs(status)
        hidden = restricted_only(uow, sorted({p for pair in pairs for p in (pair.party_a, pair.party_b)}),
                                 can_see)
        pairs = [_without_hidden_names(pair, hidden) for pair in pairs]
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


def _without_hidden_names(pair: ReviewPairView, hidden: set[int]) -> ReviewPairView:
    if pair.party_a not in hidden and pair.party_b not in hidden:
        return pair
    return pair.model_copy(update={
        "name_a": None if pair.party_a in hidden else pair.name_a,
        "name_b": None if pair.party_b in hidden else pair.name_b,
        "restricted": True,
    })
