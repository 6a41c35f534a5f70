"""capture_call: a settled call notification -> the call record from Graph -> a contact event on the topic."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from handlers.calls import normalize_call
from handlers.ports.bus import MessageBus
from handlers.ports.graph import GraphPort
from handlers.publishing import publish_events
from handlers.skips import Skip, SkipReason
from handlers.suppression import SuppressedKeys, drop_suppressed, nobody_suppressed
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import ContactEvent
from schemas.graph_callrecord import parse_call_record
from schemas.queued_notification import CallNotificationBody

log = logging.getLogger(__name__)


@dataclass
class CallCapture:
    graph: GraphPort
    policy: CapturePolicy
    bus: MessageBus
    topic: str
    record_skip: Callable[[Skip], object]
    now: Callable[[], dt.datetime]
    suppressed: SuppressedKeys = nobody_suppressed  # citizens who objected: their events are skipped


async def capture_call(note: CallNotificationBody, deps: CallCapture) -> ContactEvent | Skip | None:
    """Read the record as it is now (its latest version) and publish it; the store keeps the newest.

    A record not readable yet (404) raises TransientError from the adapter: settlement retries it.
    """
    if note.change_type.lower() == "deleted":
        return None
    record = parse_call_record(await deps.graph.get_call_record(note.call_record_id))
    result = normalize_call(record, policy=deps.policy, captured_at=deps.now())
    if isinstance(result, Skip):
        deps.record_skip(result)
        log.info("call skipped: %s", result.reason.value, extra={"reason": result.reason.value})
        return result
    if not drop_suppressed([result], deps.suppressed, deps.record_skip):
        return Skip(SkipReason.SUPPRESSED, result.source.id)
    publish_events(deps.bus, deps.topic, [result])
    log.info("captured phone contact %s v%s", result.event_id, result.source.version,
             extra={"event_id": str(result.event_id), "channel": "phone"})
    return result
