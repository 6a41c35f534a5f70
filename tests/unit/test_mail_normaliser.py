"""Mail normaliser: what becomes a citizen contact, what is skipped and why, and what text is kept."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from errors import PermanentError
from handlers.event_ids import mail_event_id
from handlers.mail import SUMMARY_LIMIT, normalize_mail
from handlers.skips import Skip, SkipReason
from schemas.capture_policy import CapturePolicy, Exclusions, StoredText, StoredTextPolicy
from schemas.contact_event import Direction, Outcome, SourceSystem
from schemas.graph_message import GraphMessage, MailFolder, parse_message

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
BURGERZAKEN = "burgerzaken@stad.example"
BURGERZAKEN_ID = "6d2f0a11-0002-4a6b-8c1d-000000000002"


def raw(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def address(name: str, email: str) -> dict[str, Any]:
    return {"emailAddress": {"name": name, "address": email}}


def inbound_raw(**changes: Any) -> dict[str, Any]:
    message = copy.deepcopy(raw("message_citizen_inbound"))
    message.update(changes)
    return message


def with_header(name: str, value: str) -> dict[str, Any]:
    """The fixture with that header set (replacing one of the same name, as a real message has one)."""
    message = inbound_raw()
    headers = [h for h in message["internetMessageHeaders"] if h["name"].lower() != name.lower()]
    message["internetMessageHeaders"] = [*headers, {"name": name, "value": value}]
    return message


def run(message: dict[str, Any] | GraphMessage, policy: CapturePolicy, *, mailbox: str = BURGERZAKEN,
        folder: MailFolder = MailFolder.INBOX, captured_at: dt.datetime | None = None):
    parsed = message if isinstance(message, GraphMessage) else parse_message(message)
    at = captured_at or dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    return normalize_mail(parsed, mailbox=mailbox, folder=folder, policy=policy, captured_at=at)


def skip_reason(result: Any) -> SkipReason:
    assert isinstance(result, Skip), f"expected a skip, got {result!r}"
    return result.reason


def test_inbound_citizen_mail_becomes_one_received_event_keyed_by_internet_message_id(policy):
    [event] = run(inbound_raw(), policy)
    assert event.event_id == mail_event_id("<CAF3xq9T2mE1Lw8k@mail.gmail.com>")
    assert (event.direction, event.outcome) == (Direction.INBOUND, Outcome.RECEIVED)
    assert event.occurred_at == dt.datetime(2025, 3, 10, 8, 15, 2, tzinfo=dt.UTC)
    assert event.citizen.email == "els.vandenbroeck@telenet.be"
    assert event.citizen.display_name == "Els Van den Broeck"
    assert event.departments == ("Burgerzaken",)
    assert event.source.system is SourceSystem.GRAPH_MAIL
    assert event.source.id == "<CAF3xq9T2mE1Lw8k@mail.gmail.com>"
    assert event.source.mailboxes == (BURGERZAKEN,)
    assert event.source.version == 1
    assert event.agent is None


def test_conversation_id_is_kept_and_a_missing_one_stays_empty(policy):
    [event] = run(inbound_raw(), policy)
    assert event.conversation_id == raw("message_citizen_inbound")["conversationId"]
    [without] = run(inbound_raw(conversationId=None), policy)
    assert without.conversation_id is None


def test_the_mailbox_may_be_named_by_its_entra_id_or_in_any_case(policy):
    by_address = run(inbound_raw(), policy)
    assert run(inbound_raw(), policy, mailbox=BURGERZAKEN_ID) == by_address
    assert run(inbound_raw(), policy, mailbox="BurgerZaken@Stad.Example") == by_address


def test_mail_in_an_inbox_subfolder_is_inbound_like_the_inbox(policy):
    assert run(inbound_raw(), policy, folder=MailFolder.INBOX_SUBFOLDER) == run(inbound_raw(), policy)


def test_x_auto_response_suppress_alone_never_skips_a_message(policy):
    message = inbound_raw(internetMessageHeaders=[{"name": "X-Auto-Response-Suppress", "value": "All"}])
    assert isinstance(run(message, policy), list)


def test_sent_mail_gives_one_outbound_event_per_external_recipient(policy):
    events = run(raw("message_sent_two_recipients"), policy, folder=MailFolder.SENT_ITEMS)
    imid = "<AM9PR02MB7163F00D@AM9PR02MB7163.eurprd02.prod.outlook.com>"
    assert [e.citizen.email for e in events] == ["els.vandenbroeck@telenet.be", "jan.peeters@example.be"]
    assert [e.event_id for e in events] == [
        mail_event_id(imid, "els.vandenbroeck@telenet.be"), mail_event_id(imid, "jan.peeters@example.be")]
    for event in events:
        assert (event.direction, event.outcome) == (Direction.OUTBOUND, Outcome.SENT)
        assert event.occurred_at == dt.datetime(2025, 3, 10, 9, 30, 0, tzinfo=dt.UTC)
        assert event.departments == ("Burgerzaken",)
    assert events[1].citizen.display_name is None  # Graph repeated the address as the name


def test_mail_a_colleague_sent_on_behalf_of_the_mailbox_names_the_colleague(policy):
    message = raw("message_sent_two_recipients")
    message["from"] = address("Burgerzaken", BURGERZAKEN)
    message["sender"] = address("An Claes", "an.claes@stad.example")
    events = run(message, policy, folder=MailFolder.SENT_ITEMS)
    assert {(e.agent.display_name, e.agent.upn) for e in events} == {("An Claes", "an.claes@stad.example")}


def test_mail_the_mailbox_sent_as_itself_names_no_colleague(policy):
    message = raw("message_sent_two_recipients")
    message["from"] = message["sender"] = address("Burgerzaken", BURGERZAKEN)
    assert [e.agent for e in run(message, policy, folder=MailFolder.SENT_ITEMS)] == [None, None]


def test_a_recipient_in_to_and_cc_is_one_contact(policy):
    message = raw("message_sent_two_recipients")
    message["ccRecipients"].append(address("Els", "ELS.VANDENBROECK@telenet.be"))
    assert len(run(message, policy, folder=MailFolder.SENT_ITEMS)) == 2


def test_sent_mail_to_colleagues_only_has_no_external_recipient(policy):
    message = raw("message_sent_two_recipients")
    message["toRecipients"] = [{"emailAddress": {"name": "Info", "address": "info@stad.example"}}]
    assert skip_reason(run(message, policy, folder=MailFolder.SENT_ITEMS)) is SkipReason.NO_EXTERNAL_RECIPIENT


def test_sent_mail_without_any_recipient_field_is_an_incomplete_message(policy):
    message = raw("message_sent_two_recipients")
    for key in ("toRecipients", "ccRecipients", "bccRecipients"):
        del message[key]
    with pytest.raises(PermanentError, match="toRecipients") as caught:
        run(message, policy, folder=MailFolder.SENT_ITEMS)
    assert caught.value.reason == "incomplete_message"


def test_archived_mail_takes_its_direction_from_the_sender(policy):
    assert run(inbound_raw(), policy, folder=MailFolder.ARCHIVE)[0].direction is Direction.INBOUND
    sent = run(raw("message_sent_two_recipients"), policy, folder=MailFolder.OTHER)
    assert {e.direction for e in sent} == {Direction.OUTBOUND}


@pytest.mark.parametrize(
    ("folder", "reason"),
    [
        (MailFolder.DRAFTS, SkipReason.DRAFT),
        (MailFolder.OUTBOX, SkipReason.DRAFT),
        (MailFolder.DELETED_ITEMS, SkipReason.DELETED),
        (MailFolder.JUNK_EMAIL, SkipReason.JUNK),
    ],
)
def test_drafts_deleted_items_and_junk_are_skipped_by_folder(policy, folder, reason):
    assert skip_reason(run(inbound_raw(), policy, folder=folder)) is reason


def test_a_draft_flag_skips_the_message_in_any_folder(policy):
    assert skip_reason(run(inbound_raw(isDraft=True), policy)) is SkipReason.DRAFT


def test_junk_is_kept_as_inbound_when_the_policy_says_so(policy):
    keeping = policy.model_copy(update={"keep_junk": True})
    [event] = run(inbound_raw(), keeping, folder=MailFolder.JUNK_EMAIL)
    assert event.direction is Direction.INBOUND


def test_a_mailbox_outside_the_policy_is_skipped(policy):
    result = run(inbound_raw(), policy, mailbox="hr@stad.example")
    assert skip_reason(result) is SkipReason.MAILBOX_NOT_IN_POLICY


@pytest.mark.parametrize(
    "address", ["pieter.claes@stad.example", "Pieter.Claes@STAD.EXAMPLE", "it@intern.stad.example",
                "/O=EXCHANGELABS/OU=EXCHANGE ADMINISTRATIVE GROUP/CN=RECIPIENTS/CN=PIETER"],
)
def test_mail_from_a_colleague_is_an_internal_sender(policy, address):
    message = inbound_raw(**{"from": {"emailAddress": {"name": "Pieter", "address": address}}})
    assert skip_reason(run(message, policy)) is SkipReason.INTERNAL_SENDER


@pytest.mark.parametrize("rule", ["els.vandenbroeck@telenet.be", "@telenet.be"])
def test_an_excluded_sender_or_domain_is_skipped(policy, rule):
    excluding = policy.model_copy(update={"exclusions": Exclusions(senders=(rule,))})
    assert skip_reason(run(inbound_raw(), excluding)) is SkipReason.EXCLUDED


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        (with_header("Auto-Submitted", "auto-replied"), SkipReason.AUTO_REPLY),
        (with_header("Auto-Submitted", "Auto-Generated; type=vacation"), SkipReason.AUTO_REPLY),
        (with_header("Precedence", "auto_reply"), SkipReason.AUTO_REPLY),
        (with_header("Return-Path", "<>"), SkipReason.AUTO_REPLY),
        (with_header("Content-Type", "multipart/report; report-type=disposition-notification"),
         SkipReason.AUTO_REPLY),
        (with_header("Content-Type", "multipart/report; report-type=delivery-status; b=x"),
         SkipReason.BOUNCE),
        (inbound_raw(singleValueExtendedProperties=[
            {"id": "String 0x001A", "value": "IPM.Note.Rules.OofTemplate.Microsoft"}]),
         SkipReason.AUTO_REPLY),
        (inbound_raw(singleValueExtendedProperties=[
            {"id": "String 0x1a", "value": "REPORT.IPM.Note.IPNRN"}]), SkipReason.AUTO_REPLY),
        (inbound_raw(singleValueExtendedProperties=[
            {"id": "String 0x1A", "value": "REPORT.IPM.Note.NDR"}]), SkipReason.BOUNCE),
        (inbound_raw(messageClass="IPM.Schedule.Meeting.Request"), SkipReason.MEETING_MESSAGE),
        (inbound_raw(**{"@odata.type": "#microsoft.graph.eventMessageResponse"}), SkipReason.MEETING_MESSAGE),
        (inbound_raw(subject="Automatisch antwoord: Vraag over grofvuil"), SkipReason.AUTO_REPLY),
        (inbound_raw(subject="Automatic reply: Question"), SkipReason.AUTO_REPLY),
        (inbound_raw(subject="Undeliverable: Vraag"), SkipReason.BOUNCE),
        (inbound_raw(subject="Onbestelbaar: Vraag"), SkipReason.BOUNCE),
        (inbound_raw(**{"from": address("Microsoft Outlook",
                                        "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@telenet.be")}),
         SkipReason.BOUNCE),
        (inbound_raw(**{"from": address("Mail Delivery Subsystem", "MAILER-DAEMON@telenet.be")}),
         SkipReason.BOUNCE),
        (inbound_raw(sender=address("", "postmaster@telenet.be")), SkipReason.BOUNCE),
    ],
)
def test_auto_replies_bounces_receipts_and_meeting_traffic_are_skipped(policy, message, reason):
    assert skip_reason(run(message, policy)) is reason


@pytest.mark.parametrize(
    "message",
    [
        with_header("Auto-Submitted", "no"),
        with_header("Precedence", "first-class"),
        inbound_raw(subject="RE: Automatisch antwoord: Vraag over grofvuil"),
        inbound_raw(singleValueExtendedProperties=[{"id": "String 0x001A", "value": "IPM.Note"}]),
    ],
)
def test_signs_that_are_not_machine_mail_keep_the_contact(policy, message):
    assert isinstance(run(message, policy), list)


def test_form_mail_takes_the_citizen_from_reply_to_and_the_department_from_the_target(policy):
    [event] = run(raw("message_form_submission"), policy, mailbox="omgeving@stad.example")
    assert event.citizen.email == "m.elamrani@outlook.be"
    assert event.citizen.display_name == "Mohamed El Amrani"
    assert event.departments == ("Omgeving",)
    assert event.event_id == mail_event_id("<form-20250310-0815-4711@www.stad.example>")
    assert event.direction is Direction.INBOUND


def test_form_mail_to_an_address_outside_the_policy_goes_to_the_form_default_department(policy):
    message = raw("message_form_submission")
    message["toRecipients"] = [address("Formulieren", "formulieren@stad.example")]
    [event] = run(message, policy, mailbox="info@stad.example")
    assert event.departments == ("Onthaal",)


def test_form_mail_without_reply_to_is_an_anonymous_contact(policy):
    message = raw("message_form_submission")
    message["replyTo"] = []
    [event] = run(message, policy, mailbox="omgeving@stad.example")
    assert event.citizen is None


def test_form_mail_a_colleague_sent_to_try_the_form_is_internal(policy):
    message = raw("message_form_submission")
    message["replyTo"] = [{"emailAddress": {"name": "Pieter", "address": "pieter.claes@stad.example"}}]
    assert skip_reason(run(message, policy, mailbox="omgeving@stad.example")) is SkipReason.INTERNAL_SENDER


def test_preview_policy_keeps_subject_and_a_tidy_excerpt(policy):
    [event] = run(inbound_raw(), policy)
    assert event.subject == "Vraag over ophaling grofvuil - Kerkstraat 12"
    assert event.summary.startswith("Beste, ik wil graag een afspraak maken")
    assert "\r" not in event.summary and "  " not in event.summary


def test_a_long_preview_is_cut_to_the_summary_limit(policy):
    [event] = run(inbound_raw(bodyPreview="woord " * 200), policy)
    assert len(event.summary) == SUMMARY_LIMIT and event.summary.endswith("…")


def test_a_restricted_department_keeps_the_subject_only(policy):
    [event] = run(inbound_raw(), policy, mailbox="socialedienst@stad.example")
    assert event.subject is not None and event.summary is None


def test_a_mail_also_addressed_to_a_restricted_mailbox_keeps_the_subject_only_in_every_copy(policy):
    """The store merges both mailboxes' copies into one contact and keeps the first copy's text: the
    Burgerzaken copy must not carry a preview the Sociale dienst rule forbids."""
    message = inbound_raw()
    message["ccRecipients"] = [address("Sociale dienst", "socialedienst@stad.example")]
    [event] = run(message, policy)
    assert event.departments == ("Burgerzaken",)
    assert event.subject is not None and event.summary is None


def test_stored_text_none_keeps_neither_subject_nor_summary(policy):
    silent = policy.model_copy(update={"stored_text": StoredTextPolicy(default=StoredText.NONE)})
    [event] = run(inbound_raw(), silent)
    assert event.subject is None and event.summary is None


def test_a_system_display_name_never_names_a_citizen(policy):
    message = inbound_raw(**{"from": address("Microsoft Outlook", "els@telenet.be")})
    [event] = run(message, policy)
    assert event.citizen.display_name is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"internetMessageId": None}, "internetMessageId"),
        ({"from": None, "sender": None}, "from"),
        ({"receivedDateTime": None}, "receivedDateTime"),
    ],
)
def test_a_message_missing_what_identifies_it_is_rejected_naming_the_field(policy, changes, field):
    with pytest.raises(PermanentError) as caught:
        run(inbound_raw(**changes), policy)
    assert field in str(caught.value)
    assert "telenet" not in str(caught.value) and "Els" not in str(caught.value)


def test_a_sender_address_that_is_not_an_address_is_rejected_without_echoing_it(policy):
    message = inbound_raw(**{"from": {"emailAddress": {"name": "Els", "address": "els at telenet"}}})
    with pytest.raises(PermanentError) as caught:
        run(message, policy)
    assert "from.emailAddress.address" in str(caught.value) and "telenet" not in str(caught.value)


def test_a_wrongly_typed_field_is_rejected_naming_the_field_not_the_value():
    with pytest.raises(PermanentError) as caught:
        parse_message(inbound_raw(toRecipients="Els.VandenBroeck@telenet.be"))
    assert "toRecipients" in str(caught.value) and "telenet" not in str(caught.value)
    with pytest.raises(PermanentError, match="not a JSON object"):
        parse_message(["not", "a", "message"])


def test_null_booleans_and_null_collections_are_read_as_unknown_and_empty():
    message = parse_message(inbound_raw(isDeliveryReceiptRequested=None, isRead="true", ccRecipients=None))
    assert message.is_delivery_receipt_requested is None
    assert message.is_read is True
    assert message.cc_recipients == ()


def test_surrogate_pair_emoji_decode_to_one_code_point():
    body = b'{"id": "x", "subject": "Dank \\ud83d\\ude0a", "bodyPreview": "\\ud83d\\ude0a\\ud83d\\ude0a"}'
    message = parse_message(json.loads(body))
    assert message.subject == "Dank \U0001F60A"
    assert message.body_preview == "\U0001F60A\U0001F60A"
    assert GraphMessage.model_validate_json(body).subject == "Dank \U0001F60A"


@pytest.mark.parametrize(
    ("text", "folder"),
    [("inbox", MailFolder.INBOX), ("Inbox", MailFolder.INBOX), ("SentItems", MailFolder.SENT_ITEMS),
     ("sent items", MailFolder.SENT_ITEMS), ("junk", MailFolder.JUNK_EMAIL),
     ("deleted", MailFolder.DELETED_ITEMS),
     ("Inbox/Aanvragen", MailFolder.INBOX_SUBFOLDER), ("inbox_subfolder", MailFolder.INBOX_SUBFOLDER),
     ("drafts", MailFolder.DRAFTS), ("archive", MailFolder.ARCHIVE), ("other", MailFolder.OTHER),
     ("Scheduled", MailFolder.OTHER), ("recoverableitemsdeletions", MailFolder.DELETED_ITEMS)],
)
def test_folder_names_from_the_command_line_are_read_in_any_case(text, folder):
    assert MailFolder.parse(text) is folder


def test_an_unknown_folder_name_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="sentitems"):
        MailFolder.parse("prullenbak")


def test_a_delta_item_with_its_identity_becomes_an_event_and_a_tombstone_only_a_removed_id(policy):
    from schemas.graph_delta import parse_delta_page

    page = parse_delta_page(raw("delta_page_new_and_removed"))
    assert page.round_complete and page.next_link is None
    assert page.removed_ids == (raw("notification_mail_basic")["value"][0]["resourceData"]["id"],)
    [item] = page.items
    [event] = run(item, policy)
    assert event.citizen.email == "m.elamrani@outlook.be"
    assert event.event_id == mail_event_id("<DB9PR02MB7163A1F2@DB9PR02MB7163.eurprd02.prod.outlook.com>")


@pytest.mark.parametrize(
    ("page", "problem"),
    [(b"{", "not valid JSON"), ({"value": 1}, "no 'value' array"), ({"value": ["x"]}, "value[0]")],
)
def test_a_malformed_delta_page_is_a_permanent_error(page, problem):
    from schemas.graph_delta import parse_delta_page

    with pytest.raises(PermanentError) as caught:
        parse_delta_page(page)
    assert problem in str(caught.value)
