"""Notifications are read field by field: one malformed optional field never costs the notification (#14)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from handlers.client_state import client_state_for
from handlers.notifications import IgnoreReason, QueueNames, route_notifications
from handlers.webhook import WebhookDeps, accept_notifications
from tests.unit.test_notification_routing import AT, mail_item, raw

CALL_ID = "d35d9037-8eb6-43e4-a51e-0236387ee97f"


def call_item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(raw("notification_call_batch")["value"][0])
    item.update(
        resource=f"communications/callRecords/{CALL_ID}",
        resourceData={"@odata.type": "#Microsoft.Graph.callrecord", "id": CALL_ID},
    )
    item.update(changes)
    return item


def route(*items: Any):
    body = json.dumps({"value": list(items)}).encode()
    return route_notifications(body, received_at=AT, call_settle_seconds=120, queues=QueueNames())


@pytest.mark.parametrize(
    ("change", "oddity"),
    [
        ({"resourceData": "System.Management.Automation.OrderedHashtable"}, "resource_data_not_object"),
        ({"resourceData": [CALL_ID]}, "resource_data_not_object"),
        ({"resourceData": {"id": CALL_ID}}, "missing_odata_type"),
        ({"resourceData": None}, "missing_resource_data"),
        ({"changeType": "recreated"}, "unknown_change_type"),
        ({"changeType": None}, "missing_change_type"),
        ({"unexpected": {"nested": True}}, "extra_property"),
        ({"resourceData": {"@odata.type": "#Microsoft.Graph.Message", "id": CALL_ID}}, "odata_type_mismatch"),
        ({"tenantId": 12345}, "tenant_id_not_text"),
        ({"clientState": ["a", "b"]}, "client_state_not_text"),
        (
            {"resourceData": {"@odata.type": "#Microsoft.Graph.callrecord", "id": CALL_ID, "@odata.id": 7}},
            "resource_data_field_not_text",
        ),
    ],
)
def test_a_call_notification_with_one_odd_field_is_still_enqueued_for_its_record(change, oddity):
    batch = route(call_item(**change))
    [queued] = batch.queued
    assert queued.queue == "call-notifications" and queued.body.call_record_id == CALL_ID
    assert oddity in queued.tolerated and batch.tolerated[oddity] == 1
    assert batch.ignored == ()


def test_snake_case_and_capitalised_keys_are_read_and_counted():
    item = {
        "change_type": "created",
        "subscription_id": "s-1",
        "Resource": f"communications/callRecords/{CALL_ID}",
        "resource_data": {"id": CALL_ID, "@odata.type": "#microsoft.graph.callrecord"},
    }
    [queued] = route(item).queued
    assert queued.subscription_id == "s-1" and queued.body.change_type == "created"
    assert "key_spelling" in queued.tolerated


def test_a_mail_notification_whose_resource_data_is_a_string_is_enqueued_by_its_resource_path():
    [queued] = route(mail_item(resourceData="oops")).queued
    assert queued.queue == "mail-notifications"
    assert queued.body.message_id and queued.body.mailbox_user_id == "6d2f0a11-0002-4a6b-8c1d-000000000002"
    assert queued.tolerated == ("resource_data_not_object",)


def test_an_unknown_change_type_is_fetched_as_an_update_but_deleted_stays_ignored():
    [queued] = route(mail_item(changeType="moved")).queued
    assert queued.body.change_type == "updated" and "unknown_change_type" in queued.tolerated
    [ignored] = route(mail_item(changeType="deleted")).ignored
    assert ignored.reason is IgnoreReason.DELETED_RESOURCE


def test_each_item_is_judged_alone_and_only_what_cannot_be_routed_is_rejected():
    batch = route(
        call_item(resourceData="x"),
        42,
        {"subscriptionId": "s", "resource": "users/x/messages"},
        mail_item(),
        {"resource": "drives/b!1/root", "changeType": "updated"},
    )
    assert [q.index for q in batch.queued] == [0, 3]
    assert [(i.index, i.reason) for i in batch.ignored] == [
        (1, IgnoreReason.MALFORMED_ITEM),
        (2, IgnoreReason.UNSUPPORTED_RESOURCE),
        (4, IgnoreReason.UNSUPPORTED_RESOURCE),
    ]


def test_a_call_record_path_wins_over_a_missing_type_and_an_unknown_kind_is_still_ignored():
    [queued] = route(call_item(resourceData={"@odata.type": "#microsoft.graph.chatMessage"})).queued
    assert queued.body.call_record_id == CALL_ID and "odata_type_mismatch" in queued.tolerated
    [ignored] = route(
        {
            "subscriptionId": "s",
            "changeType": "created",
            "resource": "teams('t')/channels('c')",
            "resourceData": "x",
        }
    ).ignored
    assert ignored.reason is IgnoreReason.UNSUPPORTED_RESOURCE


class FakeBus:
    def __init__(self) -> None:
        self.published: list[tuple[str, Any]] = []

    def publish(self, entity, messages):
        self.published.extend((entity, m) for m in messages)


def test_the_webhook_enqueues_the_tolerated_item_and_counts_each_oddity():
    counts: dict[str, int] = {}
    bus = FakeBus()
    deps = WebhookDeps(
        bus=bus,
        queues=QueueNames(),
        call_settle_seconds=120,
        client_state_key="k",
        nonce_of=lambda sub: "n",
        now=lambda: AT,
        count_discard=lambda reason, n: counts.__setitem__(reason, counts.get(reason, 0) + n),
    )
    state = client_state_for("k", "n")
    items = [
        call_item(resourceData="x", clientState=state, extra=1),
        call_item(changeType="odd", clientState=state, resource=f"communications/callRecords/{CALL_ID}-2"),
    ]
    accepted = accept_notifications(json.dumps({"value": items}).encode(), deps)
    assert accepted.enqueued == 2 and [e for e, _ in bus.published] == ["call-notifications"] * 2
    assert counts == {
        "tolerated:resource_data_not_object": 1,
        "tolerated:extra_property": 1,
        "tolerated:unknown_change_type": 1,
    }
