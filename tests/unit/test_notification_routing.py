"""Webhook routing: each notification item goes to its queue under a duplicate-proof id, or is ignored."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from errors import PermanentError
from handlers.notifications import IgnoreReason, QueueNames, route_notifications
from schemas.graph_notification import parse_message_resource, validation_request, validation_token
from schemas.queued_notification import (
    CallNotificationBody,
    LifecycleNotificationBody,
    MailNotificationBody,
    parse_queued_body,
)
from settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
AT = dt.datetime(2025, 3, 10, 8, 15, 30, tzinfo=dt.UTC)
QUEUES = QueueNames()
BZ_ID = "6d2f0a11-0002-4a6b-8c1d-000000000002"
TENANT = "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b"


def raw(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def route(body: dict[str, Any] | bytes, *, at: dt.datetime = AT, settle: int = 120,
          queues: QueueNames = QUEUES):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return route_notifications(data, received_at=at, call_settle_seconds=settle, queues=queues)


def mail_item(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(raw("notification_mail_basic")["value"][0])
    item.update(changes)
    return item


def test_a_mail_notification_goes_to_the_mail_queue_with_mailbox_and_message():
    batch = route(raw("notification_mail_basic"))
    [queued] = batch.queued
    assert batch.ignored == ()
    assert queued.queue == "mail-notifications"
    assert isinstance(queued.body, MailNotificationBody)
    assert queued.body.mailbox_user_id == BZ_ID
    assert queued.body.message_id == raw("notification_mail_basic")["value"][0]["resourceData"]["id"]
    assert (queued.body.change_type, queued.body.tenant_id) == ("created", TENANT)
    assert queued.body.subscription_id == "570ec25a-0441-4875-88cb-786263a2b14b"
    assert len(queued.message_id) == 64


def test_client_state_is_handed_to_the_webhook_but_never_enqueued():
    [queued] = route(raw("notification_mail_basic")).queued
    assert queued.client_state == "<the secret you set at create time>"
    assert "secret" not in queued.body_json()


def test_queue_names_come_from_the_settings():
    settings = Settings(MAIL_NOTIFICATIONS_QUEUE="mail-x", CALL_NOTIFICATIONS_QUEUE="call-x",
                        LIFECYCLE_NOTIFICATIONS_QUEUE="life-x")
    queues = QueueNames.from_settings(settings)
    assert route(raw("notification_mail_basic"), queues=queues).queued[0].queue == "mail-x"
    assert route(raw("notification_call_batch"), queues=queues).queued[0].queue == "call-x"
    assert route(raw("notification_lifecycle_batch"), queues=queues).queued[0].queue == "life-x"


def test_a_redelivered_mail_notification_keeps_its_message_id_and_a_change_type_is_case_blind():
    first = route({"value": [mail_item()]}).queued[0].message_id
    later = route({"value": [mail_item(changeType="Created")]}, at=AT + dt.timedelta(hours=3)).queued[0]
    assert later.message_id == first and later.body.change_type == "created"
    updated = route({"value": [mail_item(changeType="updated")]}).queued[0].message_id
    assert updated != first


@pytest.mark.parametrize(
    "resource",
    [
        f"Users/{BZ_ID}/Messages/AAMk-1=",
        f"users/{BZ_ID}/messages/AAMk-1=",
        f"users/{BZ_ID}@{TENANT}/messages/AAMk-1=",
        f"Users('{BZ_ID}')/messages('AAMk-1=')",
        f"users/{BZ_ID}/mailFolders('inbox')/messages/AAMk-1=",
        f"/v1.0/users/{BZ_ID}/Messages/AAMk-1=",
    ],
)
def test_every_documented_message_resource_form_names_the_same_mailbox_and_message(resource):
    path = parse_message_resource(resource)
    assert (path.user_id, path.message_id) == (BZ_ID, "AAMk-1=")


def test_a_user_principal_name_in_the_path_is_kept_whole_and_a_tenant_suffix_is_split_off():
    assert parse_message_resource("users/info@stad.example/messages/m1").user_id == "info@stad.example"
    assert parse_message_resource(f"users/{BZ_ID}@{TENANT}/messages/m1").tenant_id == TENANT
    assert parse_message_resource("drives/b!x/root") is None


def test_a_mail_notification_without_resource_data_takes_the_message_from_the_path():
    item = mail_item(resourceData=None, resource=f"users/{BZ_ID}/messages/AAMk-9=")
    [queued] = route({"value": [item]}).queued
    assert (queued.body.mailbox_user_id, queued.body.message_id) == (BZ_ID, "AAMk-9=")


def test_resource_data_keys_and_odata_type_are_read_in_any_case():
    item = mail_item(resourceData={"@OData.Type": "#MICROSOFT.GRAPH.MESSAGE", "ID": "AAMk-7="})
    [queued] = route({"value": [item]}).queued
    assert queued.body.message_id == "AAMk-7="


def test_call_notifications_are_scheduled_to_let_the_record_settle():
    batch = route(raw("notification_call_batch"), settle=120)
    assert [q.queue for q in batch.queued] == ["call-notifications", "call-notifications"]
    first = batch.queued[0]
    assert isinstance(first.body, CallNotificationBody)
    assert first.body.call_record_id == "f1b9165f-9147-42a1-8c80-f8da38e3ba55"
    assert first.body.fetch_after == AT + dt.timedelta(seconds=120) == first.scheduled_at


def test_notifications_of_one_call_coalesce_within_a_settle_window_but_not_across_it():
    created = raw("notification_call_batch")["value"][0]
    updated = {**created, "changeType": "updated"}
    start = dt.datetime(2025, 3, 10, 8, 0, 0, tzinfo=dt.UTC)  # a window boundary for 120 s
    one = route({"value": [created]}, at=start).queued[0].message_id
    assert route({"value": [updated]}, at=start + dt.timedelta(seconds=119)).queued[0].message_id == one
    assert route({"value": [updated]}, at=start + dt.timedelta(seconds=120)).queued[0].message_id != one


def test_a_settle_time_of_zero_still_routes_calls():
    [first, _] = route(raw("notification_call_batch"), settle=0).queued
    assert first.body.fetch_after == AT


def test_lifecycle_events_go_to_the_lifecycle_queue_with_their_subscription():
    batch = route(raw("notification_lifecycle_batch"))
    assert [q.queue for q in batch.queued] == ["lifecycle-notifications"] * 2
    assert [q.body.lifecycle_event for q in batch.queued] == ["missed", "reauthorizationRequired"]
    body = batch.queued[1].body
    assert isinstance(body, LifecycleNotificationBody)
    assert body.subscription_expires_at == dt.datetime(2025, 3, 13, 6, 0, tzinfo=dt.UTC)


def test_a_redelivered_lifecycle_event_coalesces_but_one_after_renewal_gets_through():
    item = raw("notification_lifecycle_batch")["value"][1]
    first = route({"value": [item]}).queued[0].message_id
    assert route({"value": [item]}, at=AT + dt.timedelta(minutes=1)).queued[0].message_id == first
    renewed = {**item, "subscriptionExpirationDateTime": "2025-03-16T06:00:00Z"}
    assert route({"value": [renewed]}).queued[0].message_id != first


def test_an_unknown_lifecycle_event_is_ignored_with_a_reason():
    item = {**raw("notification_lifecycle_batch")["value"][0], "lifecycleEvent": "somethingNew"}
    [ignored] = route({"value": [item]}).ignored
    assert ignored.reason is IgnoreReason.UNKNOWN_LIFECYCLE_EVENT


def test_a_rich_mail_notification_carries_its_encrypted_content_and_tokens_behind_the_queue():
    [queued] = route(raw("notification_mail_rich")).queued
    assert queued.body.encrypted_content["encryptionCertificateId"] == "loket-2025"
    assert queued.body.validation_tokens == ("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIs...",)
    assert queued.body.mailbox_user_id == BZ_ID


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        ({"subscriptionId": "NA", "changeType": "Validation: Testing client application reachability",
          "subscriptionExpirationDateTime": "NA", "resource": "NA"}, IgnoreReason.VALIDATION_ITEM),
        ({"subscriptionId": "s", "changeType": "created",
          "resource": "teams('t')/channels('c')/messages('1')",
          "resourceData": {"@odata.type": "#Microsoft.Graph.ChatMessage", "id": "1"}},
         IgnoreReason.UNSUPPORTED_RESOURCE),
        ({"subscriptionId": "s", "changeType": "updated", "resource": "drives/b!x/root"},
         IgnoreReason.UNSUPPORTED_RESOURCE),
        (mail_item(changeType="deleted"), IgnoreReason.DELETED_RESOURCE),
        (mail_item(resource="users/x/events/1", resourceData={"@odata.type": "#microsoft.graph.message"}),
         IgnoreReason.MALFORMED_ITEM),
        ("not an object", IgnoreReason.MALFORMED_ITEM),
        (mail_item(resource="users/x/events/1", resourceData="not an object"),
         IgnoreReason.UNSUPPORTED_RESOURCE),
    ],
)
def test_items_that_are_not_for_loket_are_ignored_with_a_stated_reason(item, reason):
    batch = route({"value": [item, mail_item()]})
    assert [i.reason for i in batch.ignored] == [reason]
    assert batch.ignored[0].detail
    assert len(batch.queued) == 1 and batch.queued[0].index == 1  # one bad item never sinks its batch


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"value": [', "not valid JSON"),
        (b"[]", "not a change-notification collection"),
        (b'{"value": {"subscriptionId": "s"}}', "not a change-notification collection"),
        (b'{"items": []}', "not a change-notification collection"),
        (b"\xff\xfe{", "not UTF-8"),
        (b'{"value": [], "validationTokens": "x"}', "validationTokens"),
    ],
)
def test_a_malformed_body_is_a_permanent_error_with_a_one_line_reason(body, problem):
    with pytest.raises(PermanentError, match=problem) as caught:
        route(body)
    assert "\n" not in str(caught.value)
    assert caught.value.reason == "malformed_notification"


def test_an_empty_collection_enqueues_nothing():
    batch = route({"value": []})
    assert batch.queued == () and batch.ignored == ()


def test_a_queued_body_reads_back_as_the_same_model():
    for name in ("notification_mail_basic", "notification_call_batch", "notification_lifecycle_batch"):
        for queued in route(raw(name)).queued:
            assert parse_queued_body(queued.body_json()) == queued.body


def test_the_validation_handshake_answers_with_the_decoded_token():
    assert validation_token({"validationToken": "Validation: Testing"}) == "Validation: Testing"
    assert validation_token({}) is None
    answer = validation_request("POST https://x/api/graph/notifications?validationToken=Validation%3A%20Testing%20id")
    assert (answer.status, answer.content_type, answer.token) == (200, "text/plain", "Validation: Testing id")
    assert validation_request('{"value": []}') is None
