"""The facts the phone rules read from a callRecord: its legs, who is a colleague, the queue route.

Pure and order-independent: sessions are sorted by time, listed participants by key, so a record whose
arrays come in another order gives the same facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from handlers.call_parties import (
    ASSISTANT_ID,
    ATTENDANT_ROLE,
    QUEUE_ROLE,
    Kind,
    Party,
    endpoint_party,
    listed_parties,
    organizer_party,
)
from schemas.capture_policy import CallQueue, CapturePolicy
from schemas.graph_callrecord import CallRecord, Session

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Leg:
    """A session reduced to what the rules read; endpoints fall back to the first segment's."""

    start: dt.datetime | None
    end: dt.datetime | None
    caller: Party | None
    callee: Party | None
    failed: bool

    @property
    def connected(self) -> bool:
        """A positive duration; a ring that was not answered has start == end (callrecords-real.md §b)."""
        return self.start is not None and self.end is not None and self.end > self.start


@dataclass(frozen=True)
class CallFacts:
    organizer: Party | None
    legs: tuple[Leg, ...]
    listed: tuple[Party, ...]
    service_ids: frozenset[str]
    directory: dict[str, Party] = field(default_factory=dict)

    def parties(self) -> list[Party]:
        found = [p for leg in self.legs for p in (leg.caller, leg.callee) if p is not None]
        return ([self.organizer] if self.organizer else []) + list(self.listed) + found

    def is_colleague(self, party: Party | None) -> bool:
        """A directory user who is not a resource account, the assistant or a service endpoint.

        Voice apps appear as users with no display name (S2, S3); a colleague has a name somewhere.
        """
        if party is None or party.kind is not Kind.PERSON or party.role or party.key is None:
            return False
        if party.key in self.service_ids:
            return False
        known = self.directory.get(party.key)
        return bool(party.display_name or party.upn or (known and (known.display_name or known.upn)))

    def colleagues(self) -> list[Party]:
        return [p for p in self.parties() if self.is_colleague(p)]

    def bots(self) -> list[Party]:
        """Applications, resource accounts and other service endpoints (the assistant included)."""
        return [p for p in self.parties() if p.kind is Kind.SERVICE or (p.key and p.key in self.service_ids)]

    def humans(self) -> list[Party]:
        return [p for p in self.parties() if p.kind in (Kind.PHONE, Kind.GUEST) or self.is_colleague(p)]

    def outsiders(self) -> list[Party]:
        """People outside the city's directory with no number: guests, visitors, other tenants' users."""
        return [p for p in self.parties() if p.kind is Kind.GUEST]


def _leg(session: Session) -> Leg:
    first = session.segments[0] if session.segments else None
    caller = session.caller or (first.caller if first else None)
    callee = session.callee or (first.callee if first else None)
    failed = session.failure_info is not None
    return Leg(
        session.start_date_time, session.end_date_time, endpoint_party(caller), endpoint_party(callee), failed
    )


def _sort_key(leg: Leg) -> tuple:
    return (leg.start or _EPOCH, leg.end or _EPOCH, repr(leg.caller), repr(leg.callee))


def _service_ids(parties: list[Party], policy: CapturePolicy) -> frozenset[str]:
    ids = {ASSISTANT_ID} | {q.resource_account_id.lower() for q in policy.call_queues}
    ids |= {
        p.key for p in parties if p.key and (p.kind is Kind.SERVICE or p.role in (QUEUE_ROLE, ATTENDANT_ROLE))
    }
    return frozenset(ids)


def _directory(parties: list[Party]) -> dict[str, Party]:
    """Names and UPNs by id, from wherever they appear (participants_v2 carries UPNs the sessions lack)."""
    directory: dict[str, Party] = {}
    for party in parties:
        if party.kind is Kind.PERSON and party.key:
            known = directory.get(party.key)
            directory[party.key] = Party(
                Kind.PERSON,
                party.key,
                (known.display_name if known else None) or party.display_name,
                (known.upn if known else None) or party.upn,
            )
    return directory


def _outsider_keys(parties: list[Party], policy: CapturePolicy) -> frozenset[str]:
    """Directory users of another tenant, or guests by UPN (`#EXT#`): the policy's tenant id decides.

    Keyed by id, so the same user shown elsewhere without a tenant (segments often omit it) is placed alike.
    """
    home = policy.tenant.id.strip().lower()
    services = {ASSISTANT_ID} | {q.resource_account_id.lower() for q in policy.call_queues}
    keys = set()
    for p in parties:
        if p.kind is not Kind.PERSON or not p.key or p.key in services:
            continue
        tenant = (p.tenant_id or "").strip().lower()
        if (tenant and tenant != home) or "#ext#" in (p.upn or "").lower():
            keys.add(p.key)
    return frozenset(keys)


def _placed(party: Party | None, outsiders: frozenset[str]) -> Party | None:
    if party is not None and party.kind is Kind.PERSON and party.key in outsiders:
        return replace(party, kind=Kind.GUEST)
    return party


def call_facts(record: CallRecord, policy: CapturePolicy) -> CallFacts:
    raw_legs = [_leg(s) for s in record.sessions]
    raw_listed = listed_parties(record)
    organizer = organizer_party(record)
    on_legs = [x for leg in raw_legs for x in (leg.caller, leg.callee)]
    seen = [p for p in (organizer, *raw_listed, *on_legs) if p]
    outsiders = _outsider_keys(seen, policy)
    placed_legs = (replace(leg, caller=_placed(leg.caller, outsiders), callee=_placed(leg.callee, outsiders))
                   for leg in raw_legs)
    legs = tuple(sorted(placed_legs, key=_sort_key))
    placed = [p for p in (_placed(p, outsiders) for p in raw_listed) if p is not None]
    listed = tuple(sorted(placed, key=lambda p: (p.kind.value, p.key or "", repr(p))))
    facts = CallFacts(_placed(organizer, outsiders), legs, listed, frozenset())
    everyone = sorted(facts.parties(), key=lambda p: (p.key or "", repr(p)))
    return CallFacts(facts.organizer, legs, listed, _service_ids(everyone, policy), _directory(everyone))


@dataclass(frozen=True)
class Route:
    """The policy's queues and attendants the call went through, and whether an unknown one took part."""

    queues: tuple[CallQueue, ...]
    unknown_voice_app: bool

    @property
    def departments(self) -> tuple[str, ...]:
        """Only the call queues' departments when a queue was reached: more specific than the attendant,
        and it keeps a restricted queue's contact out of the reception's view. Else the attendant's."""
        cqs = [q.department for q in self.queues if q.kind == "call_queue"]
        chosen = cqs or [q.department for q in self.queues if q.kind == "auto_attendant"]
        return tuple(dict.fromkeys(chosen))


def route(facts: CallFacts, policy: CapturePolicy) -> Route:
    """Resource accounts in session order (either side: real records show them as callers), then listed."""
    found: list[CallQueue] = []
    unknown = False
    sides = [(p, side) for leg in facts.legs for p, side in ((leg.callee, "callee"), (leg.caller, "caller"))]
    sides += [(p, "listed") for p in facts.listed]
    for party, side in sides:
        queue = policy.call_queue(party.key) if party is not None and party.key else None
        if queue is not None and queue not in found:
            found.append(queue)
        elif (
            queue is None
            and party is not None
            and side == "callee"
            and party.role in (QUEUE_ROLE, ATTENDANT_ROLE)
        ):
            unknown = True
    return Route(tuple(found), unknown)
