"""Phone rules over CallFacts: the citizen's number, the direction, who answered and how the call ended.

Rules and the sources behind them are in callrecords-real.md (S2/S3/S5 ran on real tenants):
- answered: a colleague on either side of a connected leg. Real queue records put the agent on the
  *caller* side, where failureInfo is unreliable (I1) and ignored; a colleague *callee* leg carrying
  failureInfo is an offer that was not answered (documented shape). The earliest answer counts (S2/S3),
  also across transfers: consultative transfers may even land in another record.
- voicemail: a callee with role `voicemail` (or identity endpointType voicemail), when nobody answered.
- missed: nobody answered although a colleague was offered the call (it rang: a zero-length or failed
  leg), including queue timeouts after offers: the city had the call and did not take it.
- abandoned: nobody answered and no colleague was ever offered it, but a queue or attendant session ran
  and ended: the caller hung up in the greeting, the menu or the queue before anyone's phone rang (S2
  "never went into a queue", S5 abandoned_in_queue). Known limit: a queue that times out with no agent
  signed in looks the same and counts as abandoned.
- unknown: the record gives no evidence (issue #14): no sessions (not expanded, or not there yet), sessions
  without times where the outcome would hang on them, or contradicting facts (a session ending before it
  starts). Only the evidence states an outcome; the duration still comes from the record itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from handlers.call_facts import CallFacts, Leg
from handlers.call_parties import ATTENDANT_ROLE, QUEUE_ROLE, VOICEMAIL_ROLE, Kind, Party
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import Agent, Direction, Outcome


@dataclass(frozen=True)
class Caller:
    """The external party: `e164` None means withheld or not a usable number (an anonymous citizen)."""

    e164: str | None
    excluded: bool = False


def direction(facts: CallFacts) -> Direction:
    """The organizer decides (phone = inbound, user = outbound); else the earliest leg with a phone party."""
    if facts.organizer is not None and facts.organizer.kind is Kind.PHONE:
        return Direction.INBOUND
    if facts.organizer is not None and facts.organizer.kind is Kind.PERSON:
        return Direction.OUTBOUND
    for leg in facts.legs:
        if leg.caller is not None and leg.caller.kind is Kind.PHONE:
            return Direction.INBOUND
        if leg.callee is not None and leg.callee.kind is Kind.PHONE:
            return Direction.OUTBOUND
    return Direction.INBOUND


def _phone_candidates(facts: CallFacts, way: Direction) -> Iterator[Party]:
    callers = [leg.caller for leg in facts.legs if leg.caller is not None]
    callees = [leg.callee for leg in facts.legs if leg.callee is not None]
    if way is Direction.INBOUND:
        ordered = ([facts.organizer] if facts.organizer else []) + list(facts.listed) + callers + callees
    else:  # the citizen is the PSTN callee of an outbound call
        ordered = callees + list(facts.listed) + callers
    return (p for p in ordered if p.kind is Kind.PHONE)


def external_caller(facts: CallFacts, way: Direction, policy: CapturePolicy) -> Caller | None:
    """The first valid non-city number; a withheld/invalid one gives an anonymous Caller; none gives None."""
    anonymous = False
    for party in _phone_candidates(facts, way):
        e164 = party.e164
        if e164 is None:
            anonymous = True
        elif e164 in policy.exclusions.phone_numbers:
            return Caller(e164, excluded=True)
        elif not policy.is_city_number(e164):
            return Caller(e164)
    return Caller(None) if anonymous else None


def _takers(facts: CallFacts, leg: Leg) -> Iterator[tuple[Party, bool]]:
    """(colleague, answered) for each colleague on this leg; the organizer of an outbound call is no taker."""
    org = facts.organizer.key if facts.organizer else None
    into_voice_app = leg.callee is not None and leg.callee.role in (QUEUE_ROLE, ATTENDANT_ROLE)
    if facts.is_colleague(leg.caller) and leg.caller.key != org and not into_voice_app:
        yield leg.caller, leg.connected  # real layout: the agent calls into the conference
    if facts.is_colleague(leg.callee) and leg.callee.key != org:
        yield leg.callee, leg.connected and not leg.failed


def answered_by(facts: CallFacts) -> Party | None:
    """The colleague who took the call first, or None."""
    return next((p for leg in facts.legs for p, answered in _takers(facts, leg) if answered), None)


def _offered(facts: CallFacts) -> bool:
    return any(True for leg in facts.legs for _ in _takers(facts, leg))


def _voicemail(facts: CallFacts) -> bool:
    return any(leg.callee is not None and leg.callee.role == VOICEMAIL_ROLE for leg in facts.legs)


def _timed(leg: Leg) -> bool:
    return leg.start is not None and leg.end is not None


def _contradicting(facts: CallFacts) -> bool:
    """A session that ends before it starts: the record contradicts itself, so it proves nothing."""
    return any(_timed(leg) and leg.end < leg.start for leg in facts.legs)


def _queue_session_ended(facts: CallFacts) -> bool:
    """A queue or attendant session with both times: the caller was in the city's voice app and it ended."""
    return any(_timed(leg) and leg.callee is not None and leg.callee.role in (QUEUE_ROLE, ATTENDANT_ROLE)
               for leg in facts.legs)


def _timed_offer(facts: CallFacts) -> bool:
    return any(_timed(leg) for leg in facts.legs for _ in _takers(facts, leg))


def inbound_outcome(facts: CallFacts) -> tuple[Outcome, Party | None]:
    """The outcome the sessions show; `unknown` when they show none (see the module docstring)."""
    if not facts.legs or _contradicting(facts):
        return Outcome.UNKNOWN, None
    taker = answered_by(facts)
    if taker is not None:
        return Outcome.ANSWERED, taker
    if _voicemail(facts):
        return Outcome.VOICEMAIL, None
    if any(not _timed(leg) for leg in facts.legs):
        return Outcome.UNKNOWN, None  # the untimed session may be the answer the record does not show
    if _timed_offer(facts):
        return Outcome.MISSED, None
    return (Outcome.ABANDONED if _queue_session_ended(facts) else Outcome.UNKNOWN), None


def outbound_outcome(facts: CallFacts) -> tuple[Outcome, Party | None]:
    """The organizer (else the first colleague) called; answered when a leg to the citizen connected."""
    agent = facts.organizer if facts.is_colleague(facts.organizer) else next(iter(facts.colleagues()), None)
    to_phone = [
        leg
        for leg in facts.legs
        if any(p is not None and p.kind is Kind.PHONE for p in (leg.caller, leg.callee))
    ]
    legs = to_phone or list(facts.legs)
    if not legs or _contradicting(facts):
        return Outcome.UNKNOWN, agent
    connected = any(leg.connected and not leg.failed for leg in legs)
    if connected:
        return Outcome.ANSWERED, agent
    return (Outcome.MISSED if all(_timed(leg) for leg in legs) else Outcome.UNKNOWN), agent


def to_agent(facts: CallFacts, party: Party | None) -> Agent | None:
    """Agent with the name and UPN found anywhere (UPNs live in associatedIdentity and participants)."""
    if party is None or party.key is None:
        return None
    known = facts.directory.get(party.key)
    name = party.display_name or (known.display_name if known else None)
    upn = party.upn or (known.upn if known else None)
    return Agent(id=party.key, display_name=name, upn=upn.lower() if upn else None)
