"""Phone normaliser: one Teams callRecord (documented or real call-queue layout) -> a contact event or a Skip.

Pure: no I/O. The caller of this function fetches the record with `$expand=sessions($expand=segments)`,
follows `sessions@odata.nextLink`, and appends participants_v2 (`CallRecord.with_participants`), because
Graph expands one relation per GET; a record without sessions yields no agent and outcome `unknown`.

Decisions (the issue leaves them to this module; reasons in callrecords-real.md):
- No external PSTN party (a city number does not count): `no_pstn_party` when outsiders without a number
  took part (Teams users of another tenant, guests, visitors: never colleagues, the policy's tenant id
  decides), unless a policy queue or auto attendant took the call: then it is a contact with an anonymous
  citizen. Else `internal_call` when colleagues took part, else `bot_only_call`. A withheld or
  non-numeric caller is a contact with `citizen` null.
- A citizen number in the policy's exclusions: `excluded`.
- A queue or attendant that is not in the policy took the call, and none that is: `queue_not_in_policy`.
- No queue at all (a direct dial to a colleague, or a colleague calling a citizen): a contact with no
  department and that colleague as agent. No colleague, no policy queue and no voicemail, but a bot or
  application (a citizen talking only to a bot): `bot_only_call`. A record without sessions (not
  expanded) shows none of these and stays a contact with no department.
- departments: the call queues' departments when a policy queue was reached (also after an auto
  attendant; several after overflow), else the auto attendant's. See `Route.departments`.
- agent and outcome: see handlers.call_outcome (earliest answer wins across transfers).
"""

from __future__ import annotations

import datetime as dt
import logging

from handlers.call_facts import CallFacts, call_facts, route
from handlers.call_outcome import (
    Caller,
    direction,
    external_caller,
    inbound_outcome,
    outbound_outcome,
    to_agent,
)
from handlers.event_ids import phone_event_id
from handlers.skips import Skip, SkipReason
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import Channel, Citizen, ContactEvent, Direction, Outcome, Source, SourceSystem
from schemas.graph_callrecord import CallRecord

log = logging.getLogger(__name__)


def _skip(record: CallRecord, reason: SkipReason) -> Skip:
    log.info(
        "call record skipped: %s",
        reason.value,
        extra={"call_record_id": record.id, "version": record.version},
    )
    return Skip(reason=reason, source_id=record.id)


def _duration(record: CallRecord) -> int | None:
    """Whole seconds of end - start, truncated (25.547 s -> 25); never negative."""
    if record.end_date_time is None:
        return None
    return max(0, (record.end_date_time - record.start_date_time) // dt.timedelta(seconds=1))


def _no_citizen_reason(facts: CallFacts) -> SkipReason:
    if facts.outsiders():
        return SkipReason.NO_PSTN_PARTY
    return SkipReason.INTERNAL_CALL if facts.humans() else SkipReason.BOT_ONLY_CALL


def normalize_call(
    record: CallRecord, *, policy: CapturePolicy, captured_at: dt.datetime
) -> ContactEvent | Skip:
    """The contact event for a call with a citizen on the line, or why the call is not one."""
    facts = call_facts(record, policy)
    way = direction(facts)
    caller = external_caller(facts, way, policy)
    path = route(facts, policy)
    if caller is None and facts.outsiders() and path.queues:
        caller = Caller(None)  # an outsider reached the city's queue: a contact, the citizen anonymous
    if caller is None:
        return _skip(record, _no_citizen_reason(facts))
    if caller.excluded:
        return _skip(record, SkipReason.EXCLUDED)
    if path.unknown_voice_app and not path.queues:
        return _skip(record, SkipReason.QUEUE_NOT_IN_POLICY)
    outcome, taker = inbound_outcome(facts) if way is Direction.INBOUND else outbound_outcome(facts)
    if not path.queues and not facts.colleagues() and outcome is not Outcome.VOICEMAIL and facts.bots():
        return _skip(record, SkipReason.BOT_ONLY_CALL)
    return ContactEvent(
        event_id=phone_event_id(record.id),
        channel=Channel.PHONE,
        direction=way,
        occurred_at=record.start_date_time,
        ended_at=record.end_date_time,
        duration_seconds=_duration(record),
        outcome=outcome,
        citizen=Citizen(phone=caller.e164) if caller.e164 else None,
        departments=path.departments,
        agent=to_agent(facts, taker),
        source=Source(
            system=SourceSystem.GRAPH_CALLRECORDS,
            id=record.id,
            version=record.version if record.version and record.version > 0 else 1,
        ),
        captured_at=captured_at,
    )
