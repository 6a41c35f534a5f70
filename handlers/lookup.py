"""Look-ups: has this citizen contacted us before, who helped them, how did it go? Always audited.

Restricted departments (issue 8) plug in through `can_see`: a predicate on a contact's departments;
contacts it rejects are left out of the timeline and the summary. A party whose every contact is
hidden that way does not exist for the caller (issue 15): no identifiers, no empty timeline, the same
answer as for nobody at all; the audit still records the attempt, marked for the privacy officer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from uuid import UUID

from handlers.crm import utc_now
from handlers.identity import fold, name_key, normalise_email, normalise_phone
from handlers.masking import masked
from handlers.ports.blobs import ScanBlobs
from handlers.ports.store import IdentifierType, UnitOfWork
from handlers.timeline_view import departments_of, explain, visible
from schemas.timeline import DepartmentSummary, LookupResult, PartyView, TimelineEntry

Visibility = Callable[[Sequence[str]], bool]
DEFAULT_LIMIT = 20
HIDDEN_DETAIL = "; restricted, not shown"  # in the audit only, never in the answer
MIN_NAME_LENGTH = 2


class LookupRefused(ValueError):
    """The look-up cannot run as asked (no reason given, or nothing to search on).

    `code` names the message in the catalogue (`schemas/messages.py`, key `error.<code>`), so the page
    shows it in the reader's language; the English text stays for logs and the CLI.
    """

    def __init__(self, message: str, code: str = "bad_request", **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.values = values


def _everyone(departments: Sequence[str]) -> bool:
    return True


everyone = _everyone


def require_reason(reason: str | None) -> str:
    """Every look-up says why (GDPR accountability); a blank reason is refused."""
    if reason is None or not reason.strip():
        raise LookupRefused("a look-up needs a reason", "reason_required")
    return reason.strip()


def lookup(
    uow: UnitOfWork,
    *,
    actor: str,
    reason: str,
    phone: str | None = None,
    email: str | None = None,
    name: str | None = None,
    limit: int = DEFAULT_LIMIT,
    can_see: Visibility = _everyone,
    now: dt.datetime | None = None,
    route: str = "cli",
    sees_restricted: bool = False,
    staff: Mapping[str, str] | None = None,
) -> LookupResult:
    """Parties matching exactly one of phone (any Belgian format), e-mail or name (partial, folded)."""
    reason = require_reason(reason)
    kind, value = _query(phone, email, name)
    now = now or utc_now()
    with uow:
        ids = uow.parties.find(kind, value, limit)
        # Restricted by the privacy officer (Art. 18), or a restricted department's client only:
        # for this caller they do not exist, and the answer's shape never counts them.
        hidden = _restricted(uow, ids, sees_restricted) | restricted_only(uow, ids, can_see)
        allowed = [i for i in ids if i not in hidden]
        views = _views(uow, allowed, can_see, full=len(allowed) == 1, staff=staff)
        query = kind.value if kind else "name"
        shown = {v.party_id: _departments_shown(v) for v in views}
        for pid in ids or [None]:
            note = HIDDEN_DETAIL if pid in hidden else ""
            uow.ledger.audit(actor, "lookup", pid, reason, now, detail=f"by {query}{note}", route=route,
                             shown=shown.get(pid, []) if pid is not None else None)
        uow.commit()
    return LookupResult(query=query, parties=views)


def party_timeline(
    uow: UnitOfWork,
    party_id: int,
    *,
    actor: str,
    reason: str,
    can_see: Visibility = _everyone,
    now: dt.datetime | None = None,
    route: str = "cli",
    sees_restricted: bool = False,
    staff: Mapping[str, str] | None = None,
) -> PartyView | None:
    """One party's view (GET /api/parties/{id}/timeline); None when there is no such party."""
    reason = require_reason(reason)
    with uow:
        found = uow.parties.get(party_id) is not None
        hidden = found and bool(_restricted(uow, [party_id], sees_restricted)
                                | restricted_only(uow, [party_id], can_see))
        view = _views(uow, [party_id], can_see, staff=staff)[0] if found and not hidden else None
        detail = HIDDEN_DETAIL.strip("; ") if hidden else None if found else "no such party"
        uow.ledger.audit(
            actor, "timeline", party_id, reason, now or utc_now(), detail=detail,
            route=route, shown=_departments_shown(view) if view is not None else None,
        )
        uow.commit()
    return view


def restricted_only(uow: UnitOfWork, party_ids: list[int], can_see: Visibility) -> set[int]:
    """Parties that have contacts, none of which the caller may see: for the caller they do not exist."""
    if not party_ids or can_see is _everyone:
        return set()
    timelines = uow.contacts.timelines(party_ids)
    return {pid for pid in party_ids
            if timelines.get(pid) and not any(can_see(e.departments) for e in timelines[pid])}


def open_scan(
    uow: UnitOfWork,
    blobs: ScanBlobs,
    event_id: UUID,
    *,
    actor: str,
    reason: str,
    can_see: Visibility = _everyone,
    now: dt.datetime | None = None,
    sees_restricted: bool = False,
) -> bytes | None:
    """A letter's PDF for staff who may see its department; audited like opening the party.

    None (a 404) alike for no such contact, not a letter, not visible and a scan no longer stored,
    so the answer never tells someone without need-to-know that a restricted contact exists.
    """
    reason = require_reason(reason)
    with uow:
        stored = uow.contacts.get(event_id)
        entry = None
        if (stored is not None and stored.party_id is not None and can_see(tuple(stored.departments))
                and not _restricted(uow, [stored.party_id], sees_restricted)):
            entry = next((e for e in uow.contacts.timeline(stored.party_id) if e.event_id == event_id), None)
        if entry is None or entry.channel != "post" or not entry.source_uri:
            return None
        pdf = blobs.read(entry.source_uri)
        uow.ledger.audit(actor, "scan", stored.party_id, reason, now or utc_now(),
                         detail="scan opened" if pdf is not None else "scan no longer stored",
                         route="GET /api/contacts/{event_id}/scan", shown=sorted(stored.departments))
        uow.commit()
    return pdf


def _query(
    phone: str | None, email: str | None, name: str | None
) -> tuple[IdentifierType | None, str]:
    given = [q for q in (phone, email, name) if q is not None]
    if len(given) != 1:
        raise LookupRefused("give exactly one of phone, e-mail or name", "one_query")
    if phone is not None:
        if (e164 := normalise_phone(phone)) is None:
            raise LookupRefused("not a phone number (Belgian or international format)", "bad_phone")
        return IdentifierType.PHONE, e164
    if email is not None:
        if (address := normalise_email(email)) is None:
            raise LookupRefused("not an e-mail address", "bad_email")
        return IdentifierType.EMAIL, address
    folded = fold(name or "")
    if len(name_key(folded)) < MIN_NAME_LENGTH:
        raise LookupRefused(
            f"a name search needs at least {MIN_NAME_LENGTH} letters", "name_too_short", n=MIN_NAME_LENGTH
        )
    return None, folded


def _views(
    uow: UnitOfWork, party_ids: list[int], can_see: Visibility, full: bool = True,
    staff: Mapping[str, str] | None = None,
) -> tuple[PartyView, ...]:
    """Each party read in a few queries for all of them: in full (identifiers, summary, timeline) when
    `full`, else as a result-list card (masked identifiers, number of contacts, the last one)."""
    parties = uow.parties.get_many(party_ids)
    identifiers = uow.parties.identifiers_many(party_ids)
    timelines = uow.contacts.timelines(party_ids)
    # Attribution is for a party shown in full; a result list's cards count contacts as captured.
    unattributed = {e.agent_id for t in timelines.values() for e in t if e.agent_id and not e.departments}
    learned = uow.contacts.agent_departments(sorted(unattributed)) if unattributed and full else {}
    views = []
    for pid in party_ids:
        timeline = visible(explain(timelines[pid], agent_departments=learned, staff=staff), can_see)
        party = parties.get(pid)
        shown = tuple(identifiers[pid]) if full else tuple(masked(i) for i in identifiers[pid])
        views.append(
            PartyView(
                party_id=pid,
                display_name=party.display_name if party else None,
                identifiers=shown,
                helped_before=helped_before(timeline) if full else (),
                timeline=tuple(timeline) if full else (),
                opened=full,
                contacts=len(timeline),
                last_contact=timeline[0] if timeline else None,
            )
        )
    return tuple(views)


def _restricted(uow: UnitOfWork, party_ids: list[int], sees_restricted: bool) -> set[int]:
    """Restricted parties (Art. 18) are shown only to the privacy role: for anyone else, not found."""
    return set() if sees_restricted or not party_ids else uow.privacy.restricted(party_ids)


def _departments_shown(view: PartyView) -> list[str]:
    """What the audit records of a view: the departments whose contacts were shown, never the content
    (a result-list card shows only its last contact)."""
    entries = [*view.timeline, *([view.last_contact] if view.last_contact else [])]
    return sorted({d for entry in entries for d in departments_of(entry)})


def helped_before(timeline: Sequence[TimelineEntry]) -> tuple[DepartmentSummary, ...]:
    """The last contact per department and how it ended, most recent department first: every contact
    counts, inbound and outbound, a call-back under the department it is attributed to.

    `timeline` is newest first, so the first entry seen for a department is its last contact.
    """
    last: dict[str, TimelineEntry] = {}
    counts: dict[str, int] = {}
    for entry in timeline:
        for department in departments_of(entry):
            last.setdefault(department, entry)
            counts[department] = counts.get(department, 0) + 1
    return tuple(
        DepartmentSummary(
            department=d,
            contacts=counts[d],
            last_at=e.occurred_at,
            last_channel=e.channel,
            last_outcome=e.outcome,
            last_agent=e.agent,
        )
        for d, e in last.items()
    )
