"""Hostile input over real HTTP: schemathesis, driven by /api/openapi.json, against the local host.

It passes when no request gets a 5xx or kills the server, and when at least 80 % of the requests
reach a handler: a 401 or 404 from the host's own routing (an empty body) means the fuzzer only
knocked on the door, which would make a clean run meaningless.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 15}  # per operation: bounded, ~1 min
MIN_REACHED = 0.80


def reached_handler(response) -> bool:
    """False for the routing layer's own answers: 401/404 with an empty body (handlers always say why)."""
    return not (response.status_code in (401, 404) and not response.content)


def fuzz(operation, mode: GenerationMode, base_url: str, key: str, seen: Counter, problems: list) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def probe(case) -> None:
        response = case.call(base_url=base_url, headers={"x-functions-key": key}, timeout=30)
        seen["reached" if reached_handler(response) else "routing"] += 1
        if response.status_code >= 500:
            problems.append(f"{operation.label} answered {response.status_code}")

    try:
        probe()
    except Unsatisfiable:  # negative mode has nothing to break in an operation without inputs
        pass


def test_the_openapi_document_is_anonymous_and_lists_every_design_route(loket):
    answer = httpx.get(f"{loket.url}/api/openapi.json", timeout=10)
    assert answer.status_code == 200
    document = answer.json()
    assert document["openapi"].startswith("3.1")
    for path in (
        "/api/graph/notifications",
        "/api/graph/lifecycle",
        "/api/contacts/search",
        "/api/parties/{id}/timeline",
        "/api/ops/queues",
        "/api/ops/replay",
        "/api/ops/jobs/{id}",
        "/api/health",
        "/api/openapi.json",
    ):
        assert path in document["paths"], path


@pytest.mark.timeout(240)
def test_schemathesis_finds_no_server_error_and_its_requests_reach_the_handlers(loket):
    schema = schemathesis.openapi.from_url(f"{loket.url}/api/openapi.json")
    seen: Counter = Counter()
    problems: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        for mode in EXAMPLES:
            fuzz(operation, mode, loket.url, loket.services.api_key, seen, problems)
    health = httpx.get(f"{loket.url}/api/health", timeout=10)
    assert health.status_code == 200, "the host did not survive the run"
    assert problems == []
    total = seen["reached"] + seen["routing"]
    assert total > 0
    assert seen["reached"] / total >= MIN_REACHED, f"{seen['reached']} of {total} requests reached a handler"
