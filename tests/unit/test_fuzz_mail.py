"""Fuzzing the mail normaliser with mutated documented messages: an event, a Skip, or a clean error."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.mail import normalize_mail
from handlers.skips import Skip
from schemas.capture_policy import load_policy
from schemas.contact_event import ContactEvent
from schemas.graph_message import MailFolder, parse_message
from settings import SAMPLE_POLICY
from tests.conftest import CONFORMANCE_DIR, FIXTURES
from tests.fixtures.fuzz import allowed_outcome, load_json, mutated

POLICY = load_policy(SAMPLE_POLICY)
AT = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
OUTCOMES = (ContactEvent, Skip)
FOLDERS = list(MailFolder)
MAILBOXES = [
    "burgerzaken@stad.example",
    "info@stad.example",
    "6d2f0a11-0002-4a6b-8c1d-000000000002",
    "someone@elsewhere.example",
]


def documented_messages() -> list[dict]:
    """Microsoft's documented messages (and delta page items) plus the sample city's own fixtures."""
    docs = [load_json(p) for p in sorted(CONFORMANCE_DIR.glob("message_*.json"))]
    for page in sorted(CONFORMANCE_DIR.glob("delta_messages_*.json")):
        docs += [item for item in load_json(page)["value"] if isinstance(item, dict)]
    docs += [load_json(p) for p in sorted((FIXTURES / "mail").glob("message_*.json"))]
    return docs + [load_json(FIXTURES / "tenant" / "message_citizen.json")]


@pytest.fixture(scope="module")
def messages(conformance_dir) -> list[dict]:
    return documented_messages()


def normalise(raw, mailbox: str, folder: MailFolder):
    return normalize_mail(parse_message(raw), mailbox=mailbox, folder=folder, policy=POLICY, captured_at=AT)


def test_every_documented_message_normalises_without_a_stray_exception(messages):
    for raw in messages:
        allowed_outcome(lambda raw=raw: normalise(raw, MAILBOXES[0], MailFolder.INBOX), raw, OUTCOMES)


def test_a_mutated_message_becomes_events_a_skip_or_an_error_naming_no_value(messages):
    @FUZZ
    @given(raw=mutated(messages), mailbox=st.sampled_from(MAILBOXES), folder=st.sampled_from(FOLDERS))
    def check(raw, mailbox, folder):
        allowed_outcome(lambda: normalise(raw, mailbox, folder), raw, (ContactEvent, Skip))

    check()


def test_any_json_value_as_a_message_is_rejected_cleanly():
    from tests.fixtures.fuzz import json_values

    @FUZZ
    @given(raw=json_values)
    def check(raw):
        allowed_outcome(lambda: normalise(raw, MAILBOXES[0], MailFolder.INBOX), raw, (ContactEvent, Skip))

    check()
