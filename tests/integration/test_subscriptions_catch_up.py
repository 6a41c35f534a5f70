"""Catch-up and lifecycle handling against a scripted Graph, the real SQLite registry and a recording bus:
stored delta links, resync on 410, the webhook's message ids, call versions, lifecycle hooks."""
from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from adapters.store.migrate import upgrade
from adapters.store.subscriptions import SqlSubscriptionRegistry
from adapters.store.uow import SqlStore
from errors import PermanentError
from handlers.catch_up import (
    FIRST_ROUND_LOOKBACK,
    CatchUpDeps,
    CatchUpReport,
    catch_up_calls,
    catch_up_mailbox,
)
from handlers.lifecycle import LifecycleAction, LifecycleDeps, handle_lifecycle
from handlers.notifications import QueueNames, route_notifications
from handlers.ports.graph import DeltaLinkExpired, DeltaRound
from handlers.subscriptions import SubscriptionEntry
from schemas.queued_notification import LifecycleNotificationBody

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
MAILBOX = "6d2f0a11-0002-4a6b-8c1d-000000000002"


class ScriptedGraph:
    """Delta rounds and call listings as a test scripts them; records what Loket asked."""

    def __init__(self) -> None:
        self.delta_calls: list[dict] = []
        self.items: dict[str, list[dict]] = {}
        self.expired_links: set[str] = set()
        self.records: list[dict] = []
        self.reauthorized: list[str] = []
        self.gone: set[str] = set()

    async def message_delta(self, user_id, folder_id, *, delta_link=None, select=None, since=None):
        self.delta_calls.append({"folder": folder_id, "link": delta_link, "since": since})
        if delta_link in self.expired_links:
            raise DeltaLinkExpired()
        return DeltaRound(self.items.pop(folder_id, []), f"link-{folder_id}-{len(self.delta_calls)}")

    async def list_call_records(self, since, until):
        return [r for r in self.records if since <= r["start"] < until]

    async def reauthorize_subscription(self, subscription_id):
        if subscription_id in self.gone:
            raise PermanentError("gone", reason="graph_not_found")
        self.reauthorized.append(subscription_id)


class RecordingBus:
    def __init__(self) -> None:
        self.published: dict[str, list] = {}

    def publish(self, entity, messages):
        self.published.setdefault(entity, []).extend(messages)

    def ids(self, entity: str) -> list[str]:
        return [m.message_id for m in self.published.get(entity, [])]


@pytest.fixture
def registry(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    upgrade(url)
    store = SqlStore.from_url(url)
    yield SqlSubscriptionRegistry(store)
    store.dispose()


@pytest.fixture
def deps(registry, policy):
    later = NOW + dt.timedelta(days=2)
    registry.save(SubscriptionEntry("mail-sub", f"users/{MAILBOX}/messages", "n1", later), NOW)
    registry.save(SubscriptionEntry("call-sub", "communications/callRecords", "n2", later), NOW)
    clock = {"now": NOW}
    deps = CatchUpDeps(graph=ScriptedGraph(), registry=registry, bus=RecordingBus(), queues=QueueNames(),
                       policy=policy, now=lambda: clock["now"], call_settle_seconds=5)
    deps.clock = clock  # type: ignore[attr-defined] - the test moves it
    return deps


def run(coro):
    return asyncio.run(coro)


def test_the_first_round_reaches_back_a_day_and_later_rounds_use_the_stored_link(deps):
    run(catch_up_mailbox(deps, MAILBOX))
    first = {c["folder"]: c for c in deps.graph.delta_calls}
    assert set(first) == {"inbox", "sentitems"}  # junk only when the policy keeps it
    assert first["inbox"]["link"] is None and first["inbox"]["since"] == NOW - FIRST_ROUND_LOOKBACK
    deps.graph.delta_calls.clear()
    run(catch_up_mailbox(deps, MAILBOX))
    again = {c["folder"]: c for c in deps.graph.delta_calls}
    assert again["inbox"]["link"] == "link-inbox-1" and again["inbox"]["since"] is None


def test_an_expired_delta_link_resyncs_from_the_last_good_round(deps):
    run(catch_up_mailbox(deps, MAILBOX))
    deps.graph.expired_links.add("link-inbox-1")
    deps.clock["now"] = NOW + dt.timedelta(hours=5)
    deps.graph.items["inbox"] = [{"id": "m-after-gap"}]
    report = CatchUpReport()
    run(catch_up_mailbox(deps, MAILBOX, report=report))
    resync = [c for c in deps.graph.delta_calls if c["folder"] == "inbox"][-1]
    assert resync["link"] is None and resync["since"] == NOW - dt.timedelta(hours=1)
    assert any("inbox" in r for r in report.resynced)
    stored = json.loads(deps.registry.sync_get(f"delta:{MAILBOX}:inbox"))
    assert stored["link"] not in deps.graph.expired_links  # the new round's link replaced it
    assert len(deps.bus.ids("mail-notifications")) == 1


def test_catch_up_uses_the_webhooks_message_id_so_the_bus_drops_what_was_notified(deps):
    deps.graph.items["inbox"] = [{"id": "AAMk-1"}, {"id": "AAMk-gone", "@removed": {"reason": "deleted"}}]
    run(catch_up_mailbox(deps, MAILBOX))
    notification = {"value": [{
        "subscriptionId": "mail-sub", "clientState": "x", "changeType": "created",
        "resource": f"Users/{MAILBOX}/Messages/AAMk-1",
        "resourceData": {"@odata.type": "#Microsoft.Graph.Message", "id": "AAMk-1"}}]}
    routed = route_notifications(json.dumps(notification), received_at=NOW, call_settle_seconds=5,
                                 queues=QueueNames())
    assert deps.bus.ids("mail-notifications") == [routed.queued[0].message_id]  # removed items are skipped


def test_a_call_record_is_enqueued_once_per_version_and_again_with_since(deps):
    deps.graph.records = [{"id": "rec-1", "version": 1, "start": NOW - dt.timedelta(hours=1)},
                          {"id": "old", "version": 1, "start": NOW - dt.timedelta(hours=9)}]
    assert run(catch_up_calls(deps)) == 1  # the old one is outside the 4-hour look-back
    assert run(catch_up_calls(deps)) == 0
    deps.graph.records[0]["version"] = 2
    deps.clock["now"] = NOW + dt.timedelta(minutes=15)
    assert run(catch_up_calls(deps)) == 1
    assert run(catch_up_calls(deps, since=NOW - dt.timedelta(hours=12))) == 2
    assert len(set(deps.bus.ids("call-notifications"))) == 3  # a later window is a new message id


def lifecycle_note(sub: str, event: str) -> LifecycleNotificationBody:
    return LifecycleNotificationBody(subscription_id=sub, lifecycle_event=event, received_at=NOW)


def test_lifecycle_events_reauthorize_recreate_and_catch_up(deps):
    graph, done = deps.graph, []

    async def recreate(sub):
        done.append(("recreate", sub))

    async def catch_up(sub):
        done.append(("catch_up", sub))

    hooks = LifecycleDeps(graph=graph, recreate=recreate, catch_up=catch_up)
    assert run(handle_lifecycle(lifecycle_note("s1", "reauthorizationRequired"), hooks)) \
        == LifecycleAction.REAUTHORIZED
    assert graph.reauthorized == ["s1"] and done == [("catch_up", "s1")]
    graph.gone.add("s2")
    done.clear()
    action = run(handle_lifecycle(lifecycle_note("s2", "reauthorizationRequired"), hooks))
    assert action == LifecycleAction.RECREATE
    assert done == [("recreate", "s2"), ("catch_up", "s2")]
    done.clear()
    assert run(handle_lifecycle(lifecycle_note("s3", "missed"), hooks)) == LifecycleAction.CATCH_UP
    assert done == [("catch_up", "s3")]


def test_discards_are_counted_per_reason_in_the_store(registry):
    for reason in ("wrong_client_state", "wrong_client_state", "unknown_subscription"):
        registry.count_discard(reason, NOW)
    assert registry.discards() == {"wrong_client_state": 2, "unknown_subscription": 1}


class SubscriptionsGraph:
    """POST/PATCH/DELETE/GET /subscriptions in memory; `refuse` maps a resource prefix to an error."""

    def __init__(self) -> None:
        self.subs: dict[str, dict] = {}
        self.refuse: dict[str, Exception] = {}

    async def list_subscriptions(self):
        return list(self.subs.values())

    async def create_subscription(self, body):
        for prefix, error in self.refuse.items():
            if body["resource"].startswith(prefix):
                raise error
        sub = {**body, "id": f"sub-{len(self.subs) + 1}", "expirationDateTime": body["expirationDateTime"]}
        self.subs[sub["id"]] = sub
        return sub

    async def delete_subscription(self, subscription_id):
        return self.subs.pop(subscription_id, None) is not None


def manager(registry, policy, graph):
    from handlers.subscriptions import SubscriptionConfig, SubscriptionManager

    config = SubscriptionConfig("https://loket.example/api/graph/notifications",
                                "https://loket.example/api/graph/lifecycle", "key")
    return SubscriptionManager(graph, registry, policy, config, lambda: NOW)


def test_one_mailbox_refused_or_throttled_does_not_stop_the_others(registry, policy):
    from errors import ConfigurationError, TransientError

    graph = SubscriptionsGraph()
    boxes = [b.user_id for b in policy.mailboxes]
    graph.refuse = {f"users/{boxes[0]}": ConfigurationError("GRAPH_CLIENT_ID", "outside the access scope"),
                    f"users/{boxes[1]}": TransientError("throttled", retry_after=30),
                    f"users/{boxes[2]}": PermanentError("exists", reason="graph_conflict")}
    report = run(manager(registry, policy, graph).ensure())
    assert sorted(report.failed) == sorted(boxes[:2])  # a concurrent create (409) is not a failure
    assert len(report.created) == len(boxes) - 3 + 1  # the other mailboxes and the call records
    graph.refuse.clear()
    again = run(manager(registry, policy, graph).ensure())  # the next run fills in what failed
    assert len(again.created) == 3 and not again.failed
