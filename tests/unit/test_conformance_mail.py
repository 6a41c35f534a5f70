"""Microsoft's documented mail, notification, lifecycle, validation and delta payloads, as MANIFEST.md says.

Each file becomes the right event, a stated skip, or a clear error (never a traceback). The facts
asserted below are copied from `tests/fixtures/graph-docs/MANIFEST.md`, file by file.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from errors import PermanentError
from handlers.mail import normalize_mail
from handlers.notifications import IgnoreReason, QueueNames, route_notifications
from handlers.skips import Skip, SkipReason
from schemas.graph_delta import parse_delta_page
from schemas.graph_message import GraphMessage, MailFolder, parse_message
from schemas.graph_notification import validation_request

PREFIXES = ("message_", "notification_", "lifecycle_", "validation_", "delta_")
UTC = dt.UTC
AT = dt.datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
MAILBOX = "burgerzaken@stad.example"


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def load(corpus: Path, name: str) -> Any:
    return json.loads((corpus / name).read_text(encoding="utf-8"))


def message(corpus: Path, name: str) -> GraphMessage:
    return parse_message(load(corpus, name))


def normalise(msg: GraphMessage, policy: Any, mailbox: str = MAILBOX, folder: MailFolder = MailFolder.INBOX):
    return normalize_mail(msg, mailbox=mailbox, folder=folder, policy=policy, captured_at=AT)


def route(corpus: Path, name: str):
    return route_notifications((corpus / name).read_bytes(), received_at=AT, call_settle_seconds=120,
                               queues=QueueNames())


COVERED = {
    "message_get_adele.json", "message_get_text_body_select.json", "message_move_ndr.json",
    "message_create_draft_mime.json", "delta_messages_initial_page.json", "delta_messages_final_page.json",
    "delta_messages_next_round_removed.json", "notification_mail_created.json",
    "notification_mail_created_legacy_2016.json", "notification_callrecord_created.json",
    "notification_callrecord_created_camelcase.json", "notification_rich_chatmessage_encrypted.json",
    "lifecycle_subscription_removed.json", "lifecycle_missed.json", "lifecycle_reauthorization_required.json",
    "validation_eventhub_message.json", "validation_webhook_request.txt",
}


def test_every_mail_side_file_of_the_corpus_is_covered_here_and_described_in_the_manifest(conformance_dir):
    present = {p.name for p in conformance_dir.iterdir() if p.name.startswith(PREFIXES)}
    assert present == COVERED
    manifest = (conformance_dir / "MANIFEST.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^### (\S+)", manifest, flags=re.MULTILINE)) >= COVERED


def test_adele_reads_as_documented_and_becomes_an_inbound_event(conformance_dir, policy):
    msg = message(conformance_dir, "message_get_adele.json")
    assert (msg.id, msg.mailbox_in_context) == ("AAMkADhMGAAA=", "7f180cbb-a5ae-457c-b7e8-6f5b42ba33e7")
    assert msg.internet_message_id == "<MWHPR6E1BE060@MWHPR1120.namprd22.prod.outlook.com>"
    assert (msg.subject, msg.conversation_id) == ("9/9/2018: concert", "AAQkADOUpag6yWs=")
    assert msg.is_draft is False
    assert msg.received_date_time == utc("2018-09-09T03:15:08Z")
    assert msg.sent_date_time == utc("2018-09-09T03:15:06Z")
    assert [r.address.lower() for r in msg.to_recipients] == ["alexw@contoso.onmicrosoft.com"]
    assert msg.cc_recipients == () and msg.body.content_type == "html"
    [event] = normalise(msg, policy)
    assert event.citizen.email == "adelev@contoso.onmicrosoft.com"
    assert event.citizen.display_name == "Adele Vance"
    assert event.occurred_at == utc("2018-09-09T03:15:08Z")
    outside = normalise(msg, policy, mailbox=msg.mailbox_in_context)
    assert skip_reason(outside) is SkipReason.MAILBOX_NOT_IN_POLICY


def test_a_select_subset_is_rejected_rather_than_inventing_a_sender(conformance_dir, policy):
    msg = message(conformance_dir, "message_get_text_body_select.json")
    assert msg.mailbox_in_context == "cd209b0b-3f83-4c35-82d2-d88a61820480"
    assert msg.subject == "Welcome to our group!" and msg.body.content_type == "text"
    assert msg.body.content.count("\U0001F60A") == 5
    msg.body.content.encode("utf-8")  # a lone surrogate would raise here
    with pytest.raises(PermanentError) as caught:
        normalise(msg, policy)
    assert caught.value.reason == "incomplete_message"


def test_the_ndr_is_a_bounce_and_never_a_party_called_microsoft_outlook(conformance_dir, policy):
    msg = message(conformance_dir, "message_move_ndr.json")
    assert msg.is_delivery_receipt_requested is None
    assert msg.subject == "Undeliverable: Meet for lunch?"
    assert msg.last_modified_date_time == utc("2018-08-15T19:47:54Z") != msg.received_date_time
    for folder in (MailFolder.INBOX, MailFolder.INBOX_SUBFOLDER, MailFolder.JUNK_EMAIL, MailFolder.ARCHIVE):
        result = normalise(msg, policy.model_copy(update={"keep_junk": True}), folder=folder)
        assert skip_reason(result) is SkipReason.BOUNCE


def test_the_draft_is_skipped_and_its_invalid_conversation_index_does_no_harm(conformance_dir, policy):
    msg = message(conformance_dir, "message_create_draft_mime.json")
    assert (msg.is_draft, msg.conversation_index) == (True, "Adfsdfsdfsdfw==")
    assert msg.sent_date_time == utc("2021-02-28T07:15:00Z")
    for folder in (MailFolder.INBOX, MailFolder.DRAFTS, MailFolder.SENT_ITEMS):
        assert skip_reason(normalise(msg, policy, folder=folder)) is SkipReason.DRAFT


def test_the_initial_delta_page_is_unfinished_with_two_items(conformance_dir):
    page = parse_delta_page(load(conformance_dir, "delta_messages_initial_page.json"))
    assert [m.id for m in page.items] == ["AAMkADNkNAAASq35xAAA=", "AQMkADNkNAAAVRMKAAAAA=="]
    assert [m.sender.address for m in page.items] == ["danas@contoso.com", "samanthab@contoso.com"]
    assert [m.is_read for m in page.items] == [False, True]
    assert page.removed_ids == () and page.delta_link is None and not page.round_complete
    assert "$skiptoken=GwcBoTmPuoTQWfcsAbkYM" in page.next_link


def test_the_final_delta_page_completes_the_round(conformance_dir):
    page = parse_delta_page((conformance_dir / "delta_messages_final_page.json").read_bytes())
    assert [m.id for m in page.items] == ["AAMkADk0MGFkODE3LWEAAA="]
    assert page.items[0].sender.address.lower() == "jodie.sharp@contoso.com"
    assert page.next_link is None and page.round_complete
    assert "$deltatoken=GwcBoTmPuoGNlgXgF1nyUNMXY" in page.delta_link


def test_the_next_round_reads_a_tombstone_and_a_string_boolean_without_crashing(conformance_dir, policy):
    page = parse_delta_page(load(conformance_dir, "delta_messages_next_round_removed.json"))
    assert page.removed_ids == ("AAMkADk0MGFkODE3LWE4MmYtNDRhOS0Dh_6qB-pB2Sa2pUum19a6YAAKnLuxoAAA=",)
    [updated] = page.items
    assert (updated.id, updated.is_read) == ("AAMkADNkNAAASq35xAAA=", True)
    with pytest.raises(PermanentError):  # selected subset: fetched in full before it can be a contact
        normalise(updated, policy)


@pytest.mark.parametrize(
    ("name", "facts"),
    [
        ("notification_mail_created.json", dict(
            subscription_id="{subscription_guid}", change_type="created", message_id="{long_id_string}",
            tenant_id="84bd8158-6d4d-4958-8b9f-9d6445542f95", client_state="secretClientValue")),
        ("notification_mail_created_legacy_2016.json", dict(
            subscription_id="7f105c7d-2dc5-4530-97cd-4e7ae6534c07", change_type="created",
            tenant_id="1717622f-1d94-c0d4-9d74-f907ad6677b4",
            mailbox_user_id="ddfcd489-628b-7d04-b48b-20075df800e5",
            message_id="AAMkADMxZmEzMDM1LTFjODQtNGVkMC04YzY3LTBjZTRlNDFjNGE4MwBGAAAAAAAr-q_ZG7oXSaqxum7oZW5RBwCo"
                       "eN6SYXGLRrvRm_CYrrfQAAAAAAEMAACoeN6SYXGLRrvRm_CYrrfQAACvtMe6AAA=",
            client_state="subscription-identifier")),
    ],
)
def test_documented_mail_notifications_are_queued_for_a_fetch(conformance_dir, name, facts):
    [queued] = route(conformance_dir, name).queued
    client_state = facts.pop("client_state")
    assert queued.queue == "mail-notifications" and queued.client_state == client_state
    assert {key: getattr(queued.body, key) for key in facts} == facts


def test_both_spellings_of_the_callrecord_notification_route_identically(conformance_dir):
    lower = route(conformance_dir, "notification_callrecord_created.json").queued
    camel = route(conformance_dir, "notification_callrecord_created_camelcase.json").queued
    def facts(batch):
        return [(q.queue, q.message_id, q.body) for q in batch]

    assert facts(lower) == facts(camel)
    [queued] = lower
    assert queued.queue == "call-notifications" and queued.client_state == "{Secret client state}"
    assert (queued.body.call_record_id, queued.body.subscription_id) == ("{Call id}", "{Subscription id}")
    assert (queued.body.change_type, queued.body.tenant_id) == ("created", "{Organization/Tenant id}")


def test_the_encrypted_chat_message_is_ignored_as_unsupported(conformance_dir):
    batch = route(conformance_dir, "notification_rich_chatmessage_encrypted.json")
    assert batch.queued == ()
    [ignored] = batch.ignored
    assert ignored.reason is IgnoreReason.UNSUPPORTED_RESOURCE
    assert ignored.subscription_id == "76222963-cc7b-42d2-882d-8aaa69cb2ba3"


@pytest.mark.parametrize(
    ("name", "event", "subscription", "tenant", "client_state", "expires"),
    [
        ("lifecycle_subscription_removed.json", "subscriptionRemoved", "<subscription_guid>", "<tenant_guid>",
         "<secretClientState>", "2019-03-20T11:00:00Z"),
        ("lifecycle_missed.json", "missed", "<subscription_guid>", "<tenant_guid>", "<secretClientState>",
         "2019-03-20T11:00:00Z"),
        ("lifecycle_reauthorization_required.json", "reauthorizationRequired",
         "e3898f08-5cd0-4a6a-80fc-6addbfb73b7b", "84bd8158-6d4d-4958-8b9f-9d6445542f95",
         "{secret client state}", "2019-09-18T00:52:45.969665Z"),
    ],
)
def test_documented_lifecycle_events_go_to_the_lifecycle_queue(
    conformance_dir, name, event, subscription, tenant, client_state, expires
):
    [queued] = route(conformance_dir, name).queued
    assert queued.queue == "lifecycle-notifications" and queued.client_state == client_state
    body = queued.body
    assert (body.lifecycle_event, body.subscription_id, body.tenant_id) == (event, subscription, tenant)
    assert body.subscription_expires_at == utc(expires)


def test_the_event_hubs_validation_message_is_ignored_without_error(conformance_dir):
    batch = route(conformance_dir, "validation_eventhub_message.json")
    assert batch.queued == ()
    assert [i.reason for i in batch.ignored] == [IgnoreReason.VALIDATION_ITEM]


def test_the_webhook_validation_request_is_answered_with_its_token_and_is_no_json_body(conformance_dir):
    text = (conformance_dir / "validation_webhook_request.txt").read_text(encoding="utf-8")
    answer = validation_request(text)
    assert (answer.status, answer.content_type, answer.token) == (200, "text/plain",
                                                                    "{opaqueTokenCreatedByMicrosoftGraph}")
    with pytest.raises(PermanentError, match="not valid JSON"):
        route(conformance_dir, "validation_webhook_request.txt")


def skip_reason(result: Any) -> SkipReason:
    assert isinstance(result, Skip), f"expected a skip, got {type(result).__name__}"
    return result.reason


@pytest.fixture(scope="module")
def loket():
    from cli import main

    if not any(group.name == "normalize" for group in main.app.registered_groups):
        main._register()
    return main.app


@pytest.mark.parametrize("name", sorted(COVERED))
def test_the_normalize_commands_handle_every_file_with_output_or_a_one_line_error(
    conformance_dir, loket, name
):
    command = ["normalize", "mail", "--mailbox", MAILBOX] if name.startswith(("message_", "delta_")) else [
        "normalize", "notification"]
    result = CliRunner().invoke(loket, [*command, str(conformance_dir / name)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output + result.stderr
    if result.exit_code == 0:
        json.loads(result.stdout)
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith("loket: ") and result.stderr.count("\n") == 1
