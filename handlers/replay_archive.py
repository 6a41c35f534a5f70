"""Archive replay: re-publish archived contact events to the `crm` subscription only (issue 8).

Each copy gets a NEW message id (the job id is part of it): the broker's duplicate detection would
otherwise drop a replay inside its window. The store absorbs what it already has (same event id and
version), and its erasure tombstones refuse what was erased, so replaying twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from handlers.ports.archive import EventArchive, select_events
from handlers.ports.bus import TARGET_PROPERTY, MessageBus, OutgoingMessage
from handlers.publishing import contact_event_message
from schemas.contact_event import ContactEvent

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
CRM_SUBSCRIPTION = "crm"
REPLAY_PROPERTY = "loket-replay"
BATCH = 100


@dataclass(frozen=True)
class ArchiveOutcome:
    selected: int
    published: int


def replay_message(event: ContactEvent, job_id: str) -> OutgoingMessage:
    """The contact event's usual message, addressed to `crm` alone, under a message id of this job."""
    usual = contact_event_message(event)
    properties = {**usual.application_properties, TARGET_PROPERTY: CRM_SUBSCRIPTION, REPLAY_PROPERTY: job_id}
    message_id = f"archive-replay:{job_id}:{event.event_id}:v{event.source.version}"
    return OutgoingMessage(
        body=usual.body,
        message_id=message_id[:128],
        subject=usual.subject,
        application_properties=properties,
        content_type=usual.content_type,
        correlation_id=usual.correlation_id,
    )


def replay_archive(
    archive: EventArchive,
    bus: MessageBus,
    topic: str,
    job_id: str,
    since: dt.datetime,
    until: dt.datetime | None = None,
    channel: str | None = None,
    *,
    dry_run: bool = False,
    progress: Progress = lambda done, total: None,
) -> ArchiveOutcome:
    """Publish every archived event that occurred in [since, until) (of `channel`), oldest first."""
    events = select_events(archive, since, until, channel)
    progress(0, len(events))
    if dry_run:
        return ArchiveOutcome(selected=len(events), published=0)
    published = 0
    for start in range(0, len(events), BATCH):
        chunk = events[start : start + BATCH]
        bus.publish(topic, [replay_message(e, job_id) for e in chunk])
        published += len(chunk)
        progress(published, len(events))
    log.info("archive replay published %d events", published, extra={"job_id": job_id})
    return ArchiveOutcome(selected=len(events), published=published)
