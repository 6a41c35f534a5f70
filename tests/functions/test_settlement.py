"""Settlement as design.md says, in both modes: complete, back off by a scheduled copy, dead-letter."""
from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from sqlalchemy import text

from errors import PermanentError, TransientError
from handlers.retry_policy import ATTEMPT_PROPERTY
from tests.functions.conftest import FakeActions, built_functions, trigger_message

CALL_BODY = {"kind": "call", "change_type": "created", "call_record_id": "rec-9",
             "received_at": "2026-11-28T10:00:00Z", "fetch_after": "2026-11-28T10:00:05Z"}


class ThrottledGraph:
    """A Graph that answers 429 with Retry-After to every call-record read."""

    def __init__(self) -> None:
        self.reads = 0

    async def get_call_record(self, record_id: str) -> dict:
        self.reads += 1
        raise TransientError("Graph throttled", retry_after=30)


def run(function, *args):
    result = function(*args)
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def failures(services) -> list[tuple[str, str]]:
    with services.store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("select entity, reason from failure_log"))]


def scheduled_copies(services, queue: str):
    counts = next(c for c in services.bus.counts() if c.entity == queue)
    return counts.scheduled


def test_a_transient_failure_schedules_a_copy_with_the_next_attempt_then_completes(services):
    services.graph_override = ThrottledGraph()
    function = built_functions()["capture_call"].get_user_function()
    run(function, trigger_message(json.dumps(CALL_BODY).encode(), "first-id"))  # returns: the host completes
    assert scheduled_copies(services, "call-notifications") == 1
    assert services.bus.receive("call-notifications") == []  # not before its back-off (Retry-After 30 s)
    services.clock.advance(dt.timedelta(seconds=31))
    [copy] = services.bus.receive("call-notifications")
    assert copy.application_properties[ATTEMPT_PROPERTY] == 2
    assert copy.message_id != "first-id" and copy.message_id.startswith("first-id")
    assert json.loads(copy.body) == CALL_BODY


def test_attempts_exhausted_become_permanent_and_are_logged_in_both_modes(services):
    services.graph_override = ThrottledGraph()
    last = {ATTEMPT_PROPERTY: services.settings.max_attempts}
    plain = built_functions()["capture_call"].get_user_function()
    with pytest.raises(PermanentError):  # plain mode: raising lets the broker dead-letter it
        run(plain, trigger_message(json.dumps(CALL_BODY).encode(), "m-plain", **last))
    actions = FakeActions()
    sdk = built_functions("actions")["capture_call"].get_user_function()
    run(sdk, trigger_message(json.dumps(CALL_BODY).encode(), "m-actions", **last), actions)
    assert actions.calls == [("deadletter", "m-actions", "MaxAttemptsExceeded")]
    assert failures(services) == [("call-notifications", "MaxAttemptsExceeded")] * 2
    assert scheduled_copies(services, "call-notifications") == 0


def test_a_malformed_payload_is_dead_lettered_at_once_in_actions_mode(services):
    actions = FakeActions()
    sdk = built_functions("actions")["record_contact"].get_user_function()
    run(sdk, trigger_message(b'{"not": "an event"}', "bad-1"), actions)
    assert actions.calls == [("deadletter", "bad-1", "MalformedPayload")]
    assert failures(services) == [("contact-events/crm", "MalformedPayload")]


def test_a_contact_event_is_recorded_and_a_redelivery_changes_nothing(services):
    from handlers.event_ids import phone_event_id
    from schemas.contact_event import ContactEvent

    now = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
    event = ContactEvent(event_id=phone_event_id("r1"), channel="phone", direction="inbound", occurred_at=now,
                         outcome="answered", citizen={"phone": "+32475123456"}, departments=("Burgerzaken",),
                         source={"system": "graph-callrecords", "id": "r1", "version": 1}, captured_at=now)
    actions = FakeActions()
    sdk = built_functions("actions")["record_contact"].get_user_function()
    for _ in range(2):
        run(sdk, trigger_message(event.to_json().encode(), "same-id"), actions)
    assert actions.calls == [("complete", "same-id")] * 2
    with services.store.engine.connect() as conn:
        assert conn.execute(text("select count(*) from contacts")).scalar_one() == 1
