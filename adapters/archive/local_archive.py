"""The event archive as JSON files under `<data dir>/archive/` (Blob Storage in Azure)."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from uuid import UUID

from schemas.contact_event import ContactEvent


class LocalArchive:
    """`archive/<event id>/v<version>.json`; archiving the same event twice changes nothing.

    A second mailbox's copy of one e-mail (same id and version) adds its departments and mailboxes,
    exactly as the store merges them, so a replay rebuilds the same contact.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, event: ContactEvent) -> bool:
        """Store the event; False when an identical object was there already."""
        path = self.root / str(event.event_id) / f"v{event.source.version}.json"
        stored = ContactEvent.from_json(path.read_bytes()) if path.exists() else None
        merged = _merge(stored, event)
        if merged == stored:
            return False
        _write_atomically(path, merged.to_json())
        return True

    def events(self) -> list[ContactEvent]:
        """Every archived object, oldest occurrence first (for replay)."""
        found = [ContactEvent.from_json(p.read_bytes()) for p in self.root.glob("*/v*.json")]
        return sorted(found, key=lambda e: (e.occurred_at, e.source.version))

    def delete(self, event_ids: Iterable[UUID]) -> int:
        """Remove every version of these events (erasure, retention); how many objects went."""
        gone = 0
        for event_id in event_ids:
            folder = self.root / str(event_id)
            for path in folder.glob("v*.json"):
                path.unlink(missing_ok=True)
                gone += 1
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return gone


def _merge(stored: ContactEvent | None, new: ContactEvent) -> ContactEvent:
    if stored is None:
        return new
    departments = tuple(dict.fromkeys((*stored.departments, *new.departments)))
    mailboxes = tuple(dict.fromkeys((*stored.source.mailboxes, *new.source.mailboxes)))
    source = stored.source.model_copy(update={"mailboxes": mailboxes})
    return stored.model_copy(update={"departments": departments, "source": source})


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
