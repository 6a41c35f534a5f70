"""Fuzzing the letter normaliser: mutated sidecars and scrambled text give an event or a clean error."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.letters import normalize_letter, tray_from_blob_name
from schemas.capture_policy import load_policy
from schemas.contact_event import ContactEvent
from schemas.scan_sidecar import parse_sidecar
from settings import SAMPLE_POLICY
from tests.fixtures.fuzz import allowed_outcome, json_values, load_json, mutated
from tests.fixtures.post import POST_FIXTURES

POLICY = load_policy(SAMPLE_POLICY)
AT = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
SIDECARS = [load_json(p) for p in sorted(POST_FIXTURES.glob("sidecar_*.json"))]
LETTERS = [p.read_text(encoding="utf-8") for p in sorted(POST_FIXTURES.glob("letter_*.txt"))]
TRAYS = [None, "onthaal", "burgerzaken", "financien", "geen-bak", ""]


def normalise(sidecar_bytes: bytes | None, text: str, tray: str | None, blob: str = "bak/brief.pdf"):
    sidecar = parse_sidecar(sidecar_bytes) if sidecar_bytes is not None else None
    return normalize_letter(
        pdf_digest="ab" * 32,
        text=text,
        sidecar=sidecar,
        tray=tray,
        blob_name=blob,
        received_at=AT,
        policy=POLICY,
        captured_at=AT,
    )


@st.composite
def scrambled(draw) -> str:
    """A sample letter with random text spliced in, pieces cut out, and lines shuffled around."""
    text = draw(st.sampled_from(LETTERS))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 40))
        text = text[:at] + draw(st.text(max_size=30)) + text[at + cut :]
    lines = text.splitlines()
    if lines and draw(st.booleans()):
        lines = draw(st.permutations(lines))
    return "\n".join(lines)


def test_a_mutated_sidecar_gives_a_post_event_or_an_error_naming_no_value():
    @FUZZ
    @given(raw=mutated(SIDECARS, max_mutations=5), text=st.sampled_from(LETTERS), tray=st.sampled_from(TRAYS))
    def check(raw, text, tray):
        allowed_outcome(lambda: normalise(json.dumps(raw).encode(), text, tray), raw, (ContactEvent,))

    check()


def test_any_bytes_or_json_as_a_sidecar_are_rejected_cleanly():
    @FUZZ
    @given(raw=json_values, junk=st.binary(max_size=40), as_json=st.booleans())
    def check(raw, junk, as_json):
        data = json.dumps(raw).encode() if as_json else junk
        inputs = raw if as_json else None
        allowed_outcome(lambda: normalise(data, LETTERS[0], "onthaal"), inputs, (ContactEvent,))

    check()


def test_scrambled_letter_text_always_gives_one_post_event():
    @FUZZ
    @given(text=scrambled(), tray=st.sampled_from(TRAYS), blob=st.text(max_size=60))
    def check(text, tray, blob):
        event = allowed_outcome(
            lambda: normalise(None, text, tray or tray_from_blob_name(blob), blob), None, (ContactEvent,)
        )
        assert isinstance(event, ContactEvent), "a letter without a sidecar must always become an event"

    check()
