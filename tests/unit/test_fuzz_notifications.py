"""Fuzzing the notification parser with mutated documented collections: a routed batch or a clean 400."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.notifications import QueueNames, RoutedBatch, route_notifications
from tests.conftest import CONFORMANCE_DIR, FIXTURES
from tests.fixtures.fuzz import allowed_outcome, json_values, load_json, mutated

AT = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def documented_collections() -> list[dict]:
    """Graph's documented change and lifecycle notification bodies, and the sample city's."""
    paths = [
        *CONFORMANCE_DIR.glob("notification_*.json"),
        *CONFORMANCE_DIR.glob("lifecycle_*.json"),
        *(FIXTURES / "mail").glob("notification_*.json"),
    ]
    return [load_json(p) for p in sorted(paths)]


@pytest.fixture(scope="module")
def collections(conformance_dir) -> list[dict]:
    return documented_collections()


def route(body: bytes | str) -> RoutedBatch:
    return route_notifications(body, received_at=AT, call_settle_seconds=5, queues=QueueNames())


def test_every_documented_collection_is_routed(collections):
    for raw in collections:
        assert isinstance(route(json.dumps(raw)), RoutedBatch)


def test_a_mutated_collection_is_routed_or_rejected_without_naming_a_value(collections):
    @FUZZ
    @given(raw=mutated(collections, max_mutations=5))
    def check(raw):
        allowed_outcome(lambda: route(json.dumps(raw)), raw, (RoutedBatch,))

    check()


def test_any_json_value_as_a_body_is_routed_or_rejected_cleanly():
    @FUZZ
    @given(raw=json_values)
    def check(raw):
        allowed_outcome(lambda: route(json.dumps(raw)), raw, (RoutedBatch,))

    check()


def test_truncated_or_corrupted_bytes_are_rejected_cleanly(collections):
    @FUZZ
    @given(index=st.integers(0, 100), cut=st.integers(0, 4000), junk=st.binary(max_size=8))
    def check(index, cut, junk):
        raw = collections[index % len(collections)]
        body = json.dumps(raw).encode()
        corrupted = body[:cut] + junk + body[cut + len(junk) :]
        allowed_outcome(lambda: route(corrupted), raw, (RoutedBatch,))

    check()
