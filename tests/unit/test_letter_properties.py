"""Properties of the letter normaliser: how a sender writes an identifier never changes the event."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from handlers.event_ids import pdf_sha256
from handlers.letters import normalize_letter
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import ContactEvent
from schemas.scan_sidecar import parse_sidecar
from tests.fixtures.post import POST_FIXTURES

AT = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
LETTER = """{name}
Nieuwstraat 7
3582 Koersel
Tel. {phone}
{email}

Betreft: vraag over de afvalkalender

Geachte,

Wanneer wordt het grof vuil opgehaald in onze straat?

Met vriendelijke groeten,

{name}
"""
FIXED = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _event(policy: CapturePolicy, text: str, digest: str = "0" * 64) -> ContactEvent:
    return normalize_letter(
        pdf_digest=digest,
        text=text,
        sidecar=None,
        tray="omgeving",
        blob_name="b.pdf",
        received_at=AT,
        policy=policy,
        captured_at=AT,
    )


def _random_case(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(ch.upper() if flip else ch.lower() for ch, flip in zip(text, flips, strict=True))


@st.composite
def email_in_any_case(draw: st.DrawFn) -> str:
    return _random_case(draw, "an.claes@telenet.be")


@st.composite
def landline_in_any_format(draw: st.DrawFn) -> tuple[str, str]:
    """A Beringen-zone number (not the city's) written in a form Belgians use, and its E.164 form."""
    digits = draw(st.text("0123456789", min_size=6, max_size=6))
    assume(not digits.startswith("430"))  # +3211430000 and +3211430100…199 are the city's own
    pairs = [digits[0:2], digits[2:4], digits[4:6]]
    separator = draw(st.sampled_from([" ", ".", "-", ""]))
    prefix = draw(st.sampled_from(["011 ", "011/", "+32 11 ", "0032 11 ", "+32 (0)11 ", "+3211"]))
    return prefix + separator.join(pairs), "+3211" + digits


@given(email=email_in_any_case())
@FIXED
def test_the_event_does_not_change_with_the_case_of_the_email(policy: CapturePolicy, email: str) -> None:
    base = LETTER.format(name="An Claes", phone="011 45 67 89", email="an.claes@telenet.be")
    variant = LETTER.format(name="An Claes", phone="011 45 67 89", email=email)
    assert _event(policy, variant) == _event(policy, base)


@given(written=landline_in_any_format())
@FIXED
def test_the_event_does_not_change_with_how_the_phone_number_is_written(
    policy: CapturePolicy, written: tuple[str, str]
) -> None:
    text, e164 = written
    canonical = LETTER.format(name="An Claes", phone=e164, email="an.claes@telenet.be")
    event = _event(policy, LETTER.format(name="An Claes", phone=text, email="an.claes@telenet.be"))
    assert event.citizen is not None and event.citizen.phone == e164
    assert event == _event(policy, canonical)


@given(windows=st.booleans(), trailing=st.sampled_from(["", " ", "\t", "  "]))
@FIXED
def test_line_endings_and_trailing_blanks_from_ocr_do_not_change_the_event(
    policy: CapturePolicy, windows: bool, trailing: str
) -> None:
    base = LETTER.format(name="An Claes", phone="011 45 67 89", email="an.claes@telenet.be")
    variant = (trailing + ("\r\n" if windows else "\n")).join(base.split("\n"))
    assert _event(policy, variant) == _event(policy, base)


@given(first=st.binary(min_size=1, max_size=256), second=st.binary(min_size=1, max_size=256))
@FIXED
def test_distinct_pdfs_get_distinct_event_ids_and_equal_pdfs_the_same(
    policy: CapturePolicy, first: bytes, second: bytes
) -> None:
    text = LETTER.format(name="An Claes", phone="011 45 67 89", email="an.claes@telenet.be")
    a, b = _event(policy, text, pdf_sha256(first)), _event(policy, text, pdf_sha256(second))
    assert (a.event_id == b.event_id) == (first == second)


@given(
    extra=st.dictionaries(
        st.text("abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12),
        st.one_of(st.integers(), st.text(max_size=20), st.none()),
        max_size=4,
    )
)
@FIXED
def test_unknown_fields_in_the_sidecar_do_not_change_the_event(policy: CapturePolicy, extra: dict) -> None:
    raw = json.loads((POST_FIXTURES / "sidecar_full.pdf.json").read_text(encoding="utf-8"))
    known = set(raw) | {"receivedAt", "department", "tray", "reference", "pages", "sender"}
    extra = {k: v for k, v in extra.items() if k not in known and k.replace("_", "") not in {"receivedat"}}

    def event(data: dict) -> ContactEvent:
        return normalize_letter(
            pdf_digest="1" * 64,
            text="",
            sidecar=parse_sidecar(json.dumps(data).encode()),
            tray=None,
            blob_name="b.pdf",
            received_at=AT,
            policy=policy,
            captured_at=AT,
        )

    assert event({**raw, **extra}) == event(raw)
