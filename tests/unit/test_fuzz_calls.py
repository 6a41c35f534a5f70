"""Fuzzing the phone normaliser with mutated documented callRecords: an event, a Skip, or a clean error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from handlers.calls import normalize_call
from handlers.skips import Skip
from schemas.capture_policy import load_policy
from schemas.contact_event import ContactEvent
from schemas.graph_callrecord import parse_call_record
from settings import SAMPLE_POLICY
from tests.conftest import CONFORMANCE_DIR, FIXTURES
from tests.fixtures.calls import CAPTURED_AT
from tests.fixtures.fuzz import allowed_outcome, json_values, load_json, mutated

POLICY = load_policy(SAMPLE_POLICY)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), database=None)
OUTCOMES = (ContactEvent, Skip)


def documented_records() -> list[dict]:
    """Microsoft's documented single-record GET bodies plus the sample city's documented and real layouts."""
    docs = [load_json(p) for p in sorted(CONFORMANCE_DIR.glob("callrecord_get_*.json"))]
    docs += [load_json(p) for p in sorted((FIXTURES / "calls").glob("*.json"))]
    return docs + [load_json(p) for p in sorted((FIXTURES / "tenant").glob("callrecord_*.json"))]


@pytest.fixture(scope="module")
def records(conformance_dir) -> list[dict]:
    return documented_records()


def normalise(raw):
    return normalize_call(parse_call_record(raw), policy=POLICY, captured_at=CAPTURED_AT)


def test_every_documented_record_normalises_without_a_stray_exception(records):
    for raw in records:
        allowed_outcome(lambda raw=raw: normalise(raw), raw, OUTCOMES)


def test_a_mutated_call_record_becomes_an_event_a_skip_or_an_error_naming_no_value(records):
    @FUZZ
    @given(raw=mutated(records, max_mutations=6))
    def check(raw):
        allowed_outcome(lambda: normalise(raw), raw, OUTCOMES)

    check()


def test_any_json_value_as_a_call_record_is_rejected_cleanly():
    @FUZZ
    @given(raw=json_values)
    def check(raw):
        allowed_outcome(lambda: normalise(raw), raw, OUTCOMES)

    check()
