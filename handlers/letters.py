"""Scanned letters: PDF digest + extracted text (+ the post room's sidecar) -> one post contact event.

Identity: `source.id` is the PDF's sha256 digest, not the blob name, because a rename or a second
upload of the same scan is the same letter, and because file names often carry a citizen's name.
The blob name is kept as `source.uri` so staff can open the scan.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import PurePosixPath

from handlers.event_ids import post_event_id
from handlers.identity import fold
from handlers.letter_sender import sender_from_sidecar, sender_from_text
from schemas.capture_policy import CapturePolicy, StoredText
from schemas.contact_event import Channel, Citizen, ContactEvent, Direction, Outcome, Source, SourceSystem
from schemas.scan_sidecar import ScanSidecar

SCAN_CONTAINER = "scanned-post"
SUBJECT_MAX = 200
PREVIEW_MAX = 280
TEXT_MAX_CHARS = 20_000  # setting LETTER_TEXT_MAX_CHARS; a three-page letter is about 9,000

# Blanks inside a line only ([ \t], never \s): `^\s*` under re.M could run from every line start over
# all the newlines after it, quadratic on a text of blank lines (tests/unit/test_pattern_linearity.py).
_SUBJECT = re.compile(
    r"^[ \t]*(?:betreft|onderwerp|betreffende|inzake)[ \t]*:[ \t]*(?P<subject>\S.*)$", re.I | re.M
)
_SALUTATION = re.compile(r"^[ \t]*(?:geachte|beste|dag|hallo|goedendag|mevrouw|mijnheer)\b.*$", re.I | re.M)
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:met[ \t]+)?(?:vriendelijke|beste|hartelijke)[ \t]+groet|^[ \t]*hoogachtend", re.I | re.M
)


def normalize_letter(
    *,
    pdf_digest: str,
    text: str,
    sidecar: ScanSidecar | None,
    tray: str | None,
    blob_name: str,
    received_at: dt.datetime,
    policy: CapturePolicy,
    captured_at: dt.datetime,
    ocr: bool = False,
    max_chars: int = TEXT_MAX_CHARS,
) -> ContactEvent:
    """Always an event: a letter nobody can place is `unidentified` (citizen null) and kept for triage.

    Version 1 is the scan alone; version 2 (same event_id) once the sidecar is read, so the store
    replaces the guessed sender with the post room's index data.
    """
    text = clean_text(cap_text(text, max_chars))
    citizen = _sender(text, sidecar, policy, ocr)
    departments = letter_departments(sidecar, tray, policy)
    subject, summary = stored_text(text, policy.stored_text_for(departments))
    return ContactEvent(
        event_id=post_event_id(pdf_digest),
        channel=Channel.POST,
        direction=Direction.INBOUND,
        occurred_at=(sidecar.received_at if sidecar and sidecar.received_at else received_at),
        outcome=Outcome.RECEIVED if citizen else Outcome.UNIDENTIFIED,
        citizen=citizen,
        departments=departments,
        subject=subject,
        summary=summary,
        source=Source(system=SourceSystem.SCAN, id=pdf_digest, version=2 if sidecar else 1, uri=blob_name),
        captured_at=captured_at,
    )


def _sender(text: str, sidecar: ScanSidecar | None, policy: CapturePolicy, ocr: bool) -> Citizen | None:
    """The sidecar's sender when it names one; the text otherwise (a sidecar may carry only a tray)."""
    if sidecar is not None:
        citizen = sender_from_sidecar(sidecar.sender, policy)
        if citizen is not None:
            return citizen
    return sender_from_text(text, policy, ocr=ocr)


def cap_text(text: str, max_chars: int = TEXT_MAX_CHARS) -> str:
    """At most `max_chars`: the head (letterhead, address, subject) and the tail (sign-off and name).

    What a sender and a subject need sits there; the middle of a 500-page upload or a
    60-million-character word adds nothing but work (issue 15).
    """
    if len(text) <= max_chars:
        return text
    tail = max_chars // 4
    return text[: max_chars - tail] + "\n" + text[len(text) - tail :]


def clean_text(text: str) -> str:
    """NFKC (OCR ligatures, no-break spaces) and plain newlines, so the patterns see ordinary text."""
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\f", "\n")


def tray_from_blob_name(blob_name: str) -> str | None:
    """`scanned-post/burgerzaken/x.pdf` or `burgerzaken/x.pdf` -> `burgerzaken`; a bare file has no tray."""
    parts = PurePosixPath(blob_name.replace("\\", "/")).parts
    if parts and parts[0] == SCAN_CONTAINER:
        parts = parts[1:]
    return parts[0] if len(parts) >= 2 else None


def letter_departments(
    sidecar: ScanSidecar | None, tray: str | None, policy: CapturePolicy
) -> tuple[str, ...]:
    """Sidecar tray or department first, then the blob's folder; only departments the policy knows."""
    candidates = [sidecar.tray, sidecar.department] if sidecar else []
    for value in [*candidates, tray]:
        department = _department(value, policy) if value else None
        if department:
            return (department,)
    return ()


def _department(value: str, policy: CapturePolicy) -> str | None:
    """A tray name (`financien`) or a department name in any case or accents (`financiën`)."""
    by_tray = policy.tray_department(value)
    if by_tray:
        return by_tray
    known = {
        *policy.scan_trays.values(),
        *(m.department for m in policy.mailboxes),
        *(q.department for q in policy.call_queues),
    }
    return next((d for d in sorted(known) if fold(d) == fold(value)), None)


def stored_text(text: str, rule: StoredText) -> tuple[str | None, str | None]:
    """Subject and preview as far as the policy allows (`none` | `subject` | `preview`)."""
    if rule is StoredText.NONE:
        return None, None
    subject = find_subject(text)
    return subject, (preview(text) if rule is StoredText.PREVIEW else None)


def find_subject(text: str) -> str | None:
    """The `Betreft:` / `Onderwerp:` line of a Dutch letter."""
    match = _SUBJECT.search(text)
    return _shorten(match.group("subject"), SUBJECT_MAX) if match else None


def preview(text: str) -> str | None:
    """A short excerpt of the body: after the subject or salutation, before the sign-off.

    Starting there leaves the letterhead (the sender's address and numbers) out of the excerpt.
    """
    subject = _SUBJECT.search(text)
    start = subject.end() if subject else 0
    salutation = _SALUTATION.search(text, start)
    body = text[salutation.end() if salutation else start :]
    sign_off = _SIGN_OFF.search(body)
    if sign_off:
        body = body[: sign_off.start()]
    return _shorten(body, PREVIEW_MAX)


def _shorten(text: str, limit: int) -> str | None:
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return None
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"
