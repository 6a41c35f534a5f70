"""The one message catalogue: every code staff can meet has Dutch and English words."""

import re
from pathlib import Path

import pytest

from handlers.ops import verdict  # noqa: F401 - the health reasons below are the ones it returns
from schemas.contact_event import Channel, Direction, Outcome
from schemas.messages import CATALOGUE, text, value

ROOT = Path(__file__).resolve().parents[2]
CODES = [("channel", c.value) for c in Channel] + [("direction", d.value) for d in Direction] + [
    ("outcome", o.value) for o in Outcome
] + [("outcome", "unknown")] + [("health", h) for h in ("ok", "warning", "critical")] + [
    ("health_reason", r) for r in ("dead_letters", "backlog", "oldest_age", "stalled")
]


@pytest.mark.parametrize(("kind", "code"), CODES)
def test_every_captured_code_has_dutch_and_english_words(kind, code):
    assert CATALOGUE["nl"].get(f"{kind}.{code}") and CATALOGUE["en"].get(f"{kind}.{code}")


def test_the_outcome_unknown_reads_as_dutch():
    assert value("outcome", "unknown") == "afloop onbekend"
    assert value("outcome", "unknown", "en") == "outcome unknown"


def test_every_dead_letter_reason_raised_in_the_code_is_in_the_catalogue():
    sources = [p for d in ("handlers", "adapters", "functions", "devhost") for p in (ROOT / d).rglob("*.py")]
    sources += [ROOT / "errors.py"]
    raised = {m for p in sources for m in re.findall(r'reason="([A-Za-z_]+)"', p.read_text("utf-8"))}
    raised |= {"MalformedPayload", "MaxAttemptsExceeded", "MaxDeliveryCountExceeded"}
    missing = sorted(r for r in raised if f"dead_letter.{r}" not in CATALOGUE["nl"])
    assert missing == []


def test_every_lookup_refusal_code_has_a_message():
    source = (ROOT / "handlers" / "lookup.py").read_text("utf-8")
    codes = set(re.findall(r'LookupRefused\([^)]*?"([a-z_]+)"', source, flags=re.S))
    assert codes and all(f"error.{c}" in CATALOGUE["nl"] for c in codes)


def test_dutch_and_english_have_the_same_keys():
    assert set(CATALOGUE["nl"]) == set(CATALOGUE["en"])


def test_an_unknown_code_shows_as_itself_and_values_are_filled_in():
    assert value("dead_letter", "SomethingNew") == "SomethingNew"
    assert text("error.name_too_short", n=2) == "Geef minstens 2 letters van de naam."


def test_the_page_no_longer_calls_failed_messages_dead_letters_in_dutch():
    page = (ROOT / "functions" / "static" / "index.html").read_text("utf-8")
    assert "Dode brieven" not in page and "dode brieven" not in " ".join(CATALOGUE["nl"].values()).lower()
