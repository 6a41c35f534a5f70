"""capture_letter: a scanned PDF (version 1) or its sidecar (version 2) -> a contact event on the topic.

Every letter that cannot be read is written to Loket's own failure log (entity `scanned-post`, the
hashed blob name, a reason code), never only to a poison queue: an Event Grid-sourced blob trigger
may have none (issue 15). `loket queues`, /api/ops/queues, the page and health read it there, and
`loket replay letters` captures those letters again once their cause is fixed; a later capture
writes `captured` after the failure, which closes it.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from errors import ConfigurationError, PermanentError, TransientError
from handlers.event_ids import hashed_source_id, pdf_sha256
from handlers.letters import TEXT_MAX_CHARS, normalize_letter, tray_from_blob_name
from handlers.ports.blobs import ScanBlobs
from handlers.ports.bus import MessageBus
from handlers.ports.text_extraction import TextExtractor
from handlers.publishing import publish_events
from handlers.skips import Skip
from handlers.suppression import SuppressedKeys, drop_suppressed, nobody_suppressed
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import ContactEvent
from schemas.scan_sidecar import BAD_SIDECAR, ScanSidecar, parse_sidecar

log = logging.getLogger(__name__)
SIDECAR_SUFFIX = ".json"
LETTER_ENTITY = "scanned-post"  # the failure log's entity for letters that could not be captured
ATTEMPT_ENTITY = "scanned-post/attempts"  # transient failures on the way: not (yet) a failure
CAPTURED = "captured"  # written after a letter's failures once it is captured after all
PDF_MAX_BYTES = 50 * 1024 * 1024  # setting LETTER_PDF_MAX_BYTES
TOO_LARGE = "too_large"
OCR_UNAVAILABLE = "ocr_unavailable"
READER_MISCONFIGURED = "reader_misconfigured"
MAX_TRANSIENT_ATTEMPTS = 5  # as the Functions host's blob trigger, then permanent
ONCE_ONLY_TRANSIENT = ("extraction_timeout",)  # transient once, permanent the second time


class LetterFailures(Protocol):
    """The failure log as letters use it (adapters.ops_failures.SqlFailureLog)."""

    def record(self, letter_id: str, entity: str, reason: str) -> None: ...

    def history(self, letter_id: str) -> Sequence[tuple[str, str]]:
        """(entity, reason) of every row for this letter id, oldest first."""


@dataclass
class LetterCapture:
    blobs: ScanBlobs
    extractor: TextExtractor
    policy: CapturePolicy
    bus: MessageBus
    topic: str
    now: Callable[[], dt.datetime]
    suppressed: SuppressedKeys = nobody_suppressed  # citizens who objected: their letters are skipped
    record_skip: Callable[[Skip], object] = lambda skip: None
    failures: LetterFailures | None = None
    max_pdf_bytes: int = PDF_MAX_BYTES
    max_chars: int = TEXT_MAX_CHARS


def letter_id(name: str) -> str:
    """A letter's key in the failure log: its blob name hashed (file names often carry a citizen's name)."""
    return hashed_source_id(name)


def capture_scan(
    name: str, size: int | None, read: Callable[[], bytes], deps: LetterCapture
) -> ContactEvent | None:
    """The blob trigger's whole job: capture, or record why not. Only a TransientError escapes.

    `size` (when the trigger knows it) lets an oversized PDF be refused before it is read.
    """
    refusal = getattr(deps.blobs, "refusal", None)  # the local post inbox: links, devices, odd names
    refused = refusal(name) if refusal is not None else None
    if refused is not None:  # never read, recorded under its own (hashed) name
        _record(deps, name, LETTER_ENTITY, refused)
        return None
    try:
        event = capture_letter(name, size, read, deps)
    except PermanentError as exc:
        _record(deps, _pdf_name(name), LETTER_ENTITY, exc.reason)
        return None
    except ConfigurationError as exc:  # the reader is not set up: permanent until fixed, then replayed
        _record(deps, _pdf_name(name), LETTER_ENTITY, OCR_UNAVAILABLE if exc.key == "tesseract"
                else READER_MISCONFIGURED)
        return None
    except TransientError as exc:
        if _gave_up(deps, _pdf_name(name), exc):
            return None
        raise
    if event is not None:
        _close_failures(deps, _pdf_name(name))
    return event


def capture_letter(
    name: str, size: int | None, read: Callable[[], bytes], deps: LetterCapture
) -> ContactEvent | None:
    """`name` is the blob's name inside the container; `read()` its bytes.

    A PDF whose sidecar is already there is published as version 2 straight away; a sidecar
    re-publishes its PDF as version 2 (TransientError while the PDF has not landed yet). A bad
    sidecar never takes its PDF down: the PDF is captured without it and the sidecar's fault is
    recorded under the sidecar's own name. Other files are ignored (None).
    """
    lower = name.lower()
    if lower.endswith(".pdf" + SIDECAR_SUFFIX):
        pdf_name = name[: -len(SIDECAR_SUFFIX)]
        sidecar = _sidecar(name, read(), deps)
        if sidecar is None:
            return None  # the PDF stands as captured (version 1); the sidecar's fault is recorded
        pdf = deps.blobs.read(pdf_name)
        if pdf is None:
            raise TransientError("sidecar arrived before its PDF")
        return _publish(pdf_name, pdf, sidecar, deps)
    if lower.endswith(".pdf"):
        if size is not None and size > deps.max_pdf_bytes:
            raise PermanentError("scan larger than LETTER_PDF_MAX_BYTES", reason=TOO_LARGE)
        data = read()
        sidecar_bytes = deps.blobs.read(name + SIDECAR_SUFFIX)
        sidecar = _sidecar(name + SIDECAR_SUFFIX, sidecar_bytes, deps) if sidecar_bytes is not None else None
        return _publish(name, data, sidecar, deps)
    log.info("ignored a non-PDF upload", extra={"blob_suffix": lower.rsplit(".", 1)[-1][:8]})
    return None


def _sidecar(sidecar_name: str, raw: bytes, deps: LetterCapture) -> ScanSidecar | None:
    """The parsed sidecar, or None with its fault recorded (`bad_sidecar`) under its own name."""
    try:
        sidecar = parse_sidecar(raw)
        if sidecar.in_future(deps.now()):
            raise PermanentError("scan sidecar: received_at is in the future", reason=BAD_SIDECAR)
    except PermanentError as exc:
        _record(deps, sidecar_name, LETTER_ENTITY, exc.reason)
        log.warning("bad sidecar ignored: %s", exc.reason, extra={"letter": letter_id(sidecar_name)[:16]})
        return None
    _close_failures(deps, sidecar_name)
    return sidecar


def _publish(
    pdf_name: str, pdf: bytes, sidecar: ScanSidecar | None, deps: LetterCapture
) -> ContactEvent | None:
    if len(pdf) > deps.max_pdf_bytes:
        raise PermanentError("scan larger than LETTER_PDF_MAX_BYTES", reason=TOO_LARGE)
    if not pdf.startswith(b"%PDF"):
        raise PermanentError("scan is not a PDF", reason="unreadable_pdf")
    extracted = deps.extractor.extract(pdf)
    now = deps.now()
    arrived = _arrived(deps.blobs, pdf_name)
    event = normalize_letter(
        pdf_digest=pdf_sha256(pdf), text=extracted.text, ocr=extracted.method != "text-layer",
        sidecar=sidecar, tray=tray_from_blob_name(pdf_name), max_chars=deps.max_chars,
        blob_name=pdf_name, received_at=arrived or now, policy=deps.policy, captured_at=now,
    )
    if not drop_suppressed([event], deps.suppressed, deps.record_skip):
        return None
    publish_events(deps.bus, deps.topic, [event])
    log.info("captured post contact %s v%s", event.event_id, event.source.version,
             extra={"event_id": str(event.event_id), "channel": "post"})
    return event


def _pdf_name(name: str) -> str:
    return name[: -len(SIDECAR_SUFFIX)] if name.lower().endswith(".pdf" + SIDECAR_SUFFIX) else name


def _gave_up(deps: LetterCapture, name: str, exc: TransientError) -> bool:
    """Count the attempt; past its allowance the letter fails for good, with its reason.

    A spent time budget is transient once (the machine may have been busy) and permanent the second
    time; other transient faults (storage, a throttled reader) get MAX_TRANSIENT_ATTEMPTS.
    """
    reason = getattr(exc, "reason", None) or "transient"
    if deps.failures is None:
        return False
    before = sum(1 for entity, r in _since_closed(deps.failures.history(letter_id(name)))
                 if entity == ATTEMPT_ENTITY and r == reason)
    allowance = 1 if reason in ONCE_ONLY_TRANSIENT else MAX_TRANSIENT_ATTEMPTS - 1
    if before >= allowance:
        final = reason if reason in ONCE_ONLY_TRANSIENT else "MaxAttemptsExceeded"
        _record(deps, name, LETTER_ENTITY, final)
        return True
    deps.failures.record(letter_id(name), ATTEMPT_ENTITY, reason)
    return False


def _since_closed(history: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The rows after the last `captured` (a replayed letter starts its allowance afresh)."""
    rows = list(history)
    for i in range(len(rows) - 1, -1, -1):
        if rows[i][1] == CAPTURED:
            return rows[i + 1 :]
    return rows


def _record(deps: LetterCapture, name: str, entity: str, reason: str) -> None:
    log.warning("letter not captured: %s", reason, extra={"letter": letter_id(name)[:16], "reason": reason})
    if deps.failures is not None:
        deps.failures.record(letter_id(name), entity, reason)


def _close_failures(deps: LetterCapture, name: str) -> None:
    """A letter captured after failing: `captured` closes its failures (health turns back to ok)."""
    if deps.failures is None:
        return
    history = deps.failures.history(letter_id(name))
    if history and history[-1][1] != CAPTURED:
        deps.failures.record(letter_id(name), LETTER_ENTITY, CAPTURED)


def _arrived(blobs: ScanBlobs, name: str) -> dt.datetime | None:
    """The scan's arrival in storage; a storage without the notion (an old adapter) gives None."""
    arrived = getattr(blobs, "arrived", None)
    return arrived(name) if arrived is not None else None
