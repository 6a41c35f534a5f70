"""Erasure reaches everywhere: the party's archived events and its dead letters go with the store's rows.

`erase_everywhere` is what `loket erase` calls (store first, with tombstones, then the archive and the
dead-letter queues); `purge_expired` does the same for the retention timer. A dead letter belongs to
the party when its contact event has one of the party's event ids or shares one of its identifiers;
notification queues carry no citizen data and are left alone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError

from handlers.audit_chain import party_ref
from handlers.crm import citizen_identifiers, tombstone_key
from handlers.gdpr import UnknownParty, erase_party
from handlers.ports.archive import EventArchive
from handlers.ports.blobs import ScanBlobs
from handlers.ports.bus import LockLostError, MessageBus, ReceivedMessage
from handlers.ports.privacy_log import PrivacyLog
from handlers.ports.store import UnitOfWork
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import ContactEvent
from schemas.timeline import ErasureReport

log = logging.getLogger(__name__)
BATCH = 50


@dataclass(frozen=True)
class PurgeReport:
    archived: int = 0
    dead_letters: int = 0
    scans: int = 0  # scanned letters (PDFs and sidecars) deleted from the post inbox / scanned-post


def erase_everywhere(
    uow: UnitOfWork,
    party_id: int,
    *,
    archive: EventArchive,
    bus: MessageBus,
    entities: Sequence[str],
    actor: str,
    reason: str,
    now: dt.datetime | None = None,
    privacy_log: PrivacyLog | None = None,
    scans: ScanBlobs | None = None,
) -> tuple[ErasureReport, PurgeReport]:
    """Remove the party's archived events and dead letters, then erase it in the store (tombstones).

    The erasure is written to the privacy log (outside the database) before anything is removed, so
    `loket db restore-check` re-applies it after a restore. The copies go first so that a failure
    half-way can be retried: the party still exists until the store's erasure commits. The archive is
    swept once more afterwards for a copy archived meanwhile.
    """
    with uow:
        if uow.parties.get(party_id) is None:
            raise UnknownParty(f"no party {party_id}")
        event_ids = set(uow.contacts.event_ids_of(party_id))
        identifiers = {(i.type, i.value) for i in uow.parties.identifiers(party_id)}
        letters = sorted({e.source_uri for e in uow.contacts.timeline(party_id)
                          if e.channel == "post" and e.source_uri})

    if privacy_log is not None:  # first, outside the database: a restore cannot bring the party back
        privacy_log.append({
            "kind": "erasure",
            "at": (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(),
            "party_ref": party_ref(party_id),
            "event_hashes": sorted(tombstone_key(e) for e in event_ids),
        })

    def belongs(event: ContactEvent) -> bool:
        mine = {(i.type.value, i.value) for i in citizen_identifiers(event.citizen)}
        return event.event_id in event_ids or bool(mine & identifiers)

    archived = archive.delete(event_ids)
    dead = sum(purge_dead_letters(bus, e, belongs) for e in entities)
    deleted = delete_scans(scans, letters) if scans is not None else 0
    report = erase_party(uow, party_id, actor=actor, reason=reason, now=now)
    archived += archive.delete(event_ids)
    log.info(
        "erasure reached archive and dead letters",
        extra={"party_id": party_id, "archived": archived, "dead_letters": dead, "scans": deleted},
    )
    return report, PurgeReport(archived=archived, dead_letters=dead, scans=deleted)


def delete_scans(scans: ScanBlobs, names: Iterable[str]) -> int:
    """Delete each scanned letter's PDF and its sidecar (issue 15: erasure reaches the source files)."""
    return sum(bool(scans.delete(n)) + bool(scans.delete(n + ".json")) for n in names)


def purge_expired(
    archive: EventArchive, bus: MessageBus, entities: Sequence[str], policy: CapturePolicy, now: dt.datetime
) -> PurgeReport:
    """Retention beyond the store: archived events and dead letters older than their channel's days."""

    def expired(event: ContactEvent) -> bool:
        days = policy.retention_days.get(event.channel.value)
        return days is not None and event.occurred_at < now - dt.timedelta(days=days)

    old = [e.event_id for e in archive.events() if expired(e)]
    archived = archive.delete(old)
    dead = sum(purge_dead_letters(bus, e, expired) for e in entities)
    return PurgeReport(archived=archived, dead_letters=dead)


def purge_dead_letters(bus: MessageBus, entity: str, doomed: Callable[[ContactEvent], bool]) -> int:
    """Complete (remove) the dead letters of `entity` whose contact event `doomed` accepts."""
    held: list[ReceivedMessage] = []
    removed = 0
    try:
        while batch := bus.receive(entity, max_messages=BATCH, dead_letter=True):
            for message in batch:
                event = _event(message)
                if event is not None and doomed(event):
                    bus.complete(message)
                    removed += 1
                else:
                    held.append(message)
    finally:
        _release(bus, held)
    return removed


def _event(message: ReceivedMessage) -> ContactEvent | None:
    try:
        return ContactEvent.from_json(message.body)
    except (ValidationError, ValueError):
        return None  # not a contact event (a notification, or the poison itself): nothing personal to match


def _release(bus: MessageBus, held: Iterable[ReceivedMessage]) -> None:
    for message in held:
        try:
            bus.abandon(message)
        except LockLostError:
            pass
