"""The event archive port: one object per event id and version (JSON files locally, Blob Storage in Azure).

Archiving the same event twice changes nothing; an equal version seen through a second mailbox adds
its departments and mailboxes, as the store merges them. Replay reads it back; erasure and retention
delete from it. Errors: TransientError when the storage is unreachable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Protocol
from uuid import UUID

from schemas.contact_event import ContactEvent


class EventArchive(Protocol):
    def put(self, event: ContactEvent) -> bool:
        """Store the event; False when an identical object was there already."""

    def events(self) -> list[ContactEvent]:
        """Every archived object, oldest occurrence first."""

    def delete(self, event_ids: Iterable[UUID]) -> int:
        """Remove every version of these events; how many objects went."""


def select_events(
    archive: EventArchive,
    since: dt.datetime,
    until: dt.datetime | None = None,
    channel: str | None = None,
) -> list[ContactEvent]:
    """Archived events that occurred in [since, until), of one channel if given, oldest first."""
    return [
        e
        for e in archive.events()
        if e.occurred_at >= since
        and (until is None or e.occurred_at < until)
        and (channel is None or e.channel.value == channel)
    ]
