"""capture_letter: a scanned PDF (version 1) or its sidecar (version 2) -> a contact event on the topic."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from errors import PermanentError, TransientError
from handlers.event_ids import pdf_sha256
from handlers.letters import normalize_letter, tray_from_blob_name
from handlers.ports.blobs import ScanBlobs
from handlers.ports.bus import MessageBus
from handlers.ports.text_extraction import TextExtractor
from handlers.publishing import publish_events
from handlers.skips import Skip
from handlers.suppression import SuppressedKeys, drop_suppressed, nobody_suppressed
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import ContactEvent
from schemas.scan_sidecar import ScanSidecar, parse_sidecar

log = logging.getLogger(__name__)
SIDECAR_SUFFIX = ".json"


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


def capture_letter(name: str, data: bytes, deps: LetterCapture) -> ContactEvent | None:
    """`name` is the blob's name inside the container; `data` its bytes.

    A PDF whose sidecar is already there is published as version 2 straight away; a sidecar
    re-publishes its PDF as version 2 (TransientError while the PDF has not landed yet). Other
    files are ignored (None).
    """
    lower = name.lower()
    if lower.endswith(".pdf" + SIDECAR_SUFFIX):
        pdf_name = name[: -len(SIDECAR_SUFFIX)]
        pdf = deps.blobs.read(pdf_name)
        if pdf is None:
            raise TransientError("sidecar arrived before its PDF")
        return _publish(pdf_name, pdf, parse_sidecar(data), deps)
    if lower.endswith(".pdf"):
        sidecar_bytes = deps.blobs.read(name + SIDECAR_SUFFIX)
        sidecar = parse_sidecar(sidecar_bytes) if sidecar_bytes is not None else None
        return _publish(name, data, sidecar, deps)
    log.info("ignored a non-PDF upload", extra={"blob_suffix": lower.rsplit(".", 1)[-1][:8]})
    return None


def _publish(
    pdf_name: str, pdf: bytes, sidecar: ScanSidecar | None, deps: LetterCapture
) -> ContactEvent | None:
    if not pdf.startswith(b"%PDF"):
        raise PermanentError("scan is not a PDF", reason="unreadable_pdf")
    extracted = deps.extractor.extract(pdf)
    now = deps.now()
    arrived = _arrived(deps.blobs, pdf_name)
    event = normalize_letter(
        pdf_digest=pdf_sha256(pdf), text=extracted.text, ocr=extracted.method != "text-layer",
        sidecar=sidecar, tray=tray_from_blob_name(pdf_name),
        blob_name=pdf_name, received_at=arrived or now, policy=deps.policy, captured_at=now,
    )
    if not drop_suppressed([event], deps.suppressed, deps.record_skip):
        return None
    publish_events(deps.bus, deps.topic, [event])
    log.info("captured post contact %s v%s", event.event_id, event.source.version,
             extra={"event_id": str(event.event_id), "channel": "post"})
    return event


def _arrived(blobs: ScanBlobs, name: str) -> dt.datetime | None:
    """The scan's arrival in storage; a storage without the notion (an old adapter) gives None."""
    arrived = getattr(blobs, "arrived", None)
    return arrived(name) if arrived is not None else None
