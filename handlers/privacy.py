"""The data-protection officer's side: read the audit, check its chain, and erasure on four eyes.

Erasure is asked for by one person (with a reason) and runs only when a second, different person with
the privacy role approves it (design.md: "requested, then approved by a second person with the privacy
role"). Both steps are audited. `single_person` (ERASURE_SINGLE_PERSON, local use only) lets one
person do both; the local API key counts as one person.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from handlers.audit_chain import ChainReport, active_checkpoints, check_checkpoints
from handlers.crm import utc_now
from handlers.gdpr import UnknownParty
from handlers.lookup import require_reason
from handlers.ports.privacy_log import PrivacyLog
from handlers.ports.store import UnitOfWork
from schemas.privacy import AuditView, ErasureRequestView

log = logging.getLogger(__name__)
MAX_AUDIT_ROWS = 5000
Eraser = Callable[[int, str, str], Any]  # (party id, actor, reason) -> report; erases everywhere


class ErasureRefused(ValueError):
    """The erasure request cannot move on as asked (same person, not pending, unknown request)."""


def read_audit(
    uow: UnitOfWork,
    *,
    actor: str,
    reason: str,
    route: str,
    party: int | None = None,
    by: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 500,
    now: dt.datetime | None = None,
) -> list[AuditView]:
    """Audit entries about a party, by an actor or since an instant. Reading the audit names staff and
    citizens' ids, so it is itself audited."""
    reason = require_reason(reason)
    limit = max(1, min(limit, MAX_AUDIT_ROWS))
    with uow:
        found = uow.privacy.audit_query(party=party, actor=by, since=since, limit=limit)
        asked = ", ".join(k for k, v in (("party", party), ("actor", by), ("since", since)) if v is not None)
        uow.ledger.audit(
            actor,
            "audit_read",
            party,
            reason,
            now or utc_now(),
            detail=f"by {asked or 'all'}: {len(found)} entries",
            route=route,
        )
        uow.commit()
    return found


def verify_audit(uow: UnitOfWork, log: PrivacyLog | None = None) -> ChainReport:
    """Walk the whole chain (read only: checking it adds nothing to it), and compare it with the
    chain heads kept in the privacy log outside the database, when given."""
    checkpoints = active_checkpoints(log.records()) if log is not None else {}
    with uow:
        report = uow.privacy.audit_verify()
        check_checkpoints(report, checkpoints, uow.privacy.audit_hashes(checkpoints))
    return report


def checkpoint_audit(uow: UnitOfWork, log: PrivacyLog, now: dt.datetime | None = None) -> int:
    """Write the chain's head to the privacy log (the nightly timer, and after a clean verify): from
    then on, a history rewritten up to it, or a removed tail, shows even with a matching head row."""
    with uow:
        head = uow.privacy.audit_head()
    if head.seq:
        log.append(
            {
                "kind": "audit_checkpoint",
                "at": (now or utc_now()).astimezone(dt.UTC).isoformat(),
                "seq": head.seq,
                "hash": head.entry_hash,
            }
        )
    return head.seq


def request_erasure(
    uow: UnitOfWork, party_id: int, *, actor: str, reason: str, route: str, now: dt.datetime | None = None
) -> ErasureRequestView:
    """Record the request; nothing is erased yet."""
    reason = require_reason(reason)
    now = now or utc_now()
    with uow:
        if uow.parties.get(party_id) is None:
            raise UnknownParty(f"no party {party_id}")
        request = uow.privacy.add_erasure_request(party_id, reason, actor, now)
        uow.ledger.audit(
            actor, "erase_requested", party_id, reason, now, detail=f"request {request.id}", route=route
        )
        uow.commit()
    log.info("erasure requested", extra={"request_id": request.id})
    return request


def approve_erasure(
    uow: UnitOfWork,
    request_id: int,
    *,
    actor: str,
    reason: str,
    route: str,
    erase: Eraser,
    single_person: bool = False,
    now: Callable[[], dt.datetime] = utc_now,
) -> tuple[ErasureRequestView, Any]:
    """A second person approves; then the erasure runs (store, archive, dead letters) and the request
    is marked erased. An approved request whose erasure failed half-way can be approved again."""
    reason = require_reason(reason)
    with uow:
        request = uow.privacy.erasure_request(request_id, lock=True)
        _check_approvable(request, request_id, actor, single_person)
        assert request is not None and request.party_id is not None
        if request.status == "pending":
            how = (
                "single-person (ERASURE_SINGLE_PERSON)"
                if _same(actor, request.requested_by)
                else "second person"
            )
            uow.privacy.decide_erasure(request_id, "approved", actor, now(), detail=how)
            uow.ledger.audit(
                actor,
                "erase_approved",
                request.party_id,
                reason,
                now(),
                detail=f"request {request_id}, {how}",
                route=route,
            )
        uow.commit()
    try:
        report = erase(request.party_id, actor, request.reason)
    except UnknownParty:  # erased already by an earlier approval that failed before marking it
        report = None
    with uow:
        uow.privacy.decide_erasure(request_id, "erased", actor, now(), detail=_summary(report))
        done = uow.privacy.erasure_request(request_id)
        uow.commit()
    assert done is not None
    return done, report


def refuse_erasure(
    uow: UnitOfWork, request_id: int, *, actor: str, reason: str, route: str, now: dt.datetime | None = None
) -> ErasureRequestView:
    """Turn a pending request down (anyone with the privacy role, the requester included: withdrawing)."""
    reason = require_reason(reason)
    now = now or utc_now()
    with uow:
        request = uow.privacy.erasure_request(request_id, lock=True)
        if request is None:
            raise ErasureRefused(f"no erasure request {request_id}")
        if request.status != "pending":
            raise ErasureRefused(f"erasure request {request_id} is {request.status}, not pending")
        uow.privacy.decide_erasure(request_id, "refused", actor, now, detail=reason[:255])
        uow.ledger.audit(
            actor, "erase_refused", request.party_id, reason, now, detail=f"request {request_id}", route=route
        )
        done = uow.privacy.erasure_request(request_id)
        uow.commit()
    assert done is not None
    return done


def erasure_requests(uow: UnitOfWork, status: str | None = "pending") -> list[ErasureRequestView]:
    with uow:
        return uow.privacy.erasure_requests(status)


def _check_approvable(
    request: ErasureRequestView | None, request_id: int, actor: str, single_person: bool
) -> None:
    if request is None:
        raise ErasureRefused(f"no erasure request {request_id}")
    if request.status not in ("pending", "approved"):
        raise ErasureRefused(f"erasure request {request_id} is {request.status}")
    if request.party_id is None:
        raise ErasureRefused(f"erasure request {request_id} names no party any more")
    if _same(actor, request.requested_by) and not single_person:
        raise ErasureRefused(
            f"erasure request {request_id} was made by {request.requested_by}: a second person with the "
            "privacy role must approve it"
        )


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _summary(report: Any) -> str:
    if report is None:
        return "erased earlier"
    first = report[0] if isinstance(report, tuple) else report
    contacts = getattr(first, "contacts", None)
    return f"{contacts} contacts erased" if contacts is not None else "erased"
