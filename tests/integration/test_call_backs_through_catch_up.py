"""A colleague's call-back reaches no queue, so the filtered callRecords subscription never announces
it: catch-up's listing (by start time, with no participant filter) is what brings it in, and the
record then becomes an outbound phone contact. docs/graph-subscriptions.md explains the trade-off."""
from __future__ import annotations

import asyncio
import datetime as dt

from adapters.store.migrate import upgrade
from adapters.store.subscriptions import SqlSubscriptionRegistry
from adapters.store.uow import SqlStore
from devhost.tenant import day_calls as calls
from devhost.tenant.day_people import Colleague
from handlers.capture_call import CallCapture, capture_call
from handlers.catch_up import CatchUpDeps, catch_up_calls
from handlers.notifications import QueueNames
from handlers.subscription_plan import calls_resource
from schemas.contact_event import ContactEvent
from schemas.queued_notification import CallNotificationBody

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
AGENT = Colleague("7c1e9a55-0003-4b7c-9d2e-000000000003", "An Peeters", "an.peeters@stad.example")
CITIZEN = "+32470123456"


class TenantGraph:
    """Call records listed by start time (as Graph's $filter on startDateTime does) and read by id."""

    def __init__(self, records: list[dict]) -> None:
        self.records = {r["id"]: r for r in records}
        self.listed: list[tuple[dt.datetime, dt.datetime]] = []

    async def list_call_records(self, since, until):
        self.listed.append((since, until))
        started = {i: dt.datetime.fromisoformat(r["startDateTime"]) for i, r in self.records.items()}
        return [self.records[i] for i, at in started.items() if since <= at < until]

    async def get_call_record(self, record_id):
        return self.records[record_id]


class RecordingBus:
    def __init__(self) -> None:
        self.published: dict[str, list] = {}

    def publish(self, entity, messages):
        self.published.setdefault(entity, []).extend(messages)


def test_a_call_back_no_queue_saw_is_found_by_catch_up_and_captured_as_outbound(tmp_path, policy):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    upgrade(url)
    store = SqlStore.from_url(url)
    try:
        call_back = calls.direct_call(
            NOW - dt.timedelta(minutes=30), calls.colleague(AGENT), calls.party(calls.phone(CITIZEN)),
        )
        queue_ids = {q.resource_account_id.lower() for q in policy.call_queues}
        participants = {p["id"].lower() for p in call_back["participants_v2"]}
        assert not queue_ids & participants, "no queue took part: the filtered subscription stays silent"
        assert "participants/any" in calls_resource(policy, tenant_wide=False), "the filter in force"

        graph, bus = TenantGraph([call_back]), RecordingBus()
        deps = CatchUpDeps(graph=graph, registry=SqlSubscriptionRegistry(store), bus=bus, queues=QueueNames(),
                           policy=policy, now=lambda: NOW, call_settle_seconds=0)
        assert asyncio.run(catch_up_calls(deps)) == 1
        (message,) = bus.published["call-notifications"]
        note = CallNotificationBody.model_validate_json(message.body)

        events = RecordingBus()
        capture = CallCapture(graph=graph, policy=policy, bus=events, topic="contact-events",
                              record_skip=lambda skip: None, now=lambda: NOW)
        event = asyncio.run(capture_call(note, capture))
        assert isinstance(event, ContactEvent), f"skipped: {event}"
        assert (event.channel, event.direction) == ("phone", "outbound")
        assert event.citizen is not None and event.citizen.phone == CITIZEN
        assert event.agent is not None and event.agent.id == AGENT.id
        assert events.published["contact-events"], "published for the CRM"
    finally:
        store.dispose()
