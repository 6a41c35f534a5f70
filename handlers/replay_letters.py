"""`loket replay letters`: capture again the scanned letters that failed, once their cause is fixed.

The failure log holds only hashed names (file names often carry a citizen's name), so the letters are
found by listing the post inbox or the `scanned-post` container and hashing each name. Capturing
again is safe: a letter's event id is its PDF's digest, so the store absorbs what it already has.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from errors import TransientError
from handlers.capture_letter import LetterCapture, capture_scan, letter_id

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]


class OpenFailure(Protocol):
    letter_id: str
    reason: str
    at: dt.datetime


@dataclass
class LetterReplayDeps:
    open_failures: Callable[[], Sequence[OpenFailure]]
    names: Callable[[], Iterable[str]]  # every blob name in the container (post inbox)
    capture: LetterCapture


def select_letters(
    deps: LetterReplayDeps, reason: str | None = None, since: dt.datetime | None = None
) -> list[tuple[OpenFailure, str | None]]:
    """The open failures chosen by reason and time, each with its blob name (None: the file is gone)."""
    chosen = [f for f in deps.open_failures()
              if (reason is None or f.reason == reason) and (since is None or f.at >= since)]
    wanted = {f.letter_id for f in chosen}
    names = {}
    for name in deps.names():
        key = letter_id(name)
        if key in wanted:
            names[key] = name
    return [(f, names.get(f.letter_id)) for f in chosen]


def replay_letters(
    deps: LetterReplayDeps,
    *,
    reason: str | None = None,
    since: dt.datetime | None = None,
    dry_run: bool = False,
    progress: Progress = lambda done, total: None,
) -> dict[str, Any]:
    """Capture each chosen letter again; the summary shows letters by hashed id and reason only."""
    selected = select_letters(deps, reason, since)
    present = [(f, name) for f, name in selected if name is not None]
    summary: dict[str, Any] = {
        "selected": len(selected),
        "missing": len(selected) - len(present),
        "letters": [{"letter": f.letter_id[:16], "reason": f.reason} for f, _ in selected][:100],
    }
    progress(0, len(present))
    if dry_run:
        return {"summary": summary}
    captured = failed = 0
    for done, (_, name) in enumerate(present, start=1):
        try:
            event = capture_scan(name, None, _reader(deps, name), deps.capture)
        except TransientError:
            event = None
        if event is not None:
            captured += 1
        else:
            failed += 1
        progress(done, len(present))
    log.info("letters replayed: %d captured, %d still failing", captured, failed)
    summary.update(captured=captured, still_failing=failed)
    return {"resubmitted": captured, "failed": failed, "skipped": summary["missing"], "summary": summary}


def _reader(deps: LetterReplayDeps, name: str) -> Callable[[], bytes]:
    def read() -> bytes:
        data = deps.capture.blobs.read(name)
        if data is None:
            raise TransientError("letter gone from storage meanwhile")
        return data

    return read
