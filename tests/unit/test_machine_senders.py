"""Machine senders are not citizens: software, services and list mail are skipped with their own reasons.

The rules (and the judgement calls: a citizen's own auto-reply, list mail) are in docs/capture-rules.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from handlers.mail_signals import is_machine_address, sent_by_software
from handlers.skips import Skip, SkipReason
from schemas.graph_message import MailFolder, parse_message
from tests.unit.test_mail_normaliser import address, inbound_raw, run, with_header


def sender(email: str, name: str = "", **changes: Any) -> dict[str, Any]:
    return inbound_raw(**{"from": address(name, email), "sender": address(name, email), **changes})


def headers(message: dict[str, Any], **values: str) -> dict[str, Any]:
    kept = [
        h for h in message["internetMessageHeaders"] if h["name"].lower() not in {k.lower() for k in values}
    ]
    message["internetMessageHeaders"] = [
        *kept,
        *({"name": k.replace("_", "-"), "value": v} for k, v in values.items()),
    ]
    return message


def reason(result: Any) -> SkipReason | None:
    return result.reason if isinstance(result, Skip) else None


@pytest.mark.parametrize(
    "email",
    [
        "noreply@vendor.example",
        "no-reply@vendor.example",
        "no_reply@vendor.example",
        "NoReply@Vendor.Example",
        "donotreply@vendor.example",
        "do-not-reply@vendor.example",
        "do.not.reply@vendor.example",
        "account-security-noreply@accountprotection.microsoft.com",
        "notifications@github.example",
        "notification@vendor.example",
        "newsletter@shop.example",
        "noreply+bounce-123@vendor.example",
    ],
)
def test_no_reply_and_notification_addresses_are_machine_senders(policy, email):
    assert reason(run(sender(email), policy)) is SkipReason.MACHINE_SENDER


@pytest.mark.parametrize(
    "email",
    [
        "bruno.reply@telenet.be",
        "noreen.ply@telenet.be",
        "arno.replyn@telenet.be",
        "jan.notifier@telenet.be",
        "no@telenet.be",
        "reply@telenet.be",
    ],
)
def test_people_whose_address_merely_contains_those_letters_stay_citizens(policy, email):
    [event] = run(sender(email), policy)
    assert event.citizen.email == email


@pytest.mark.parametrize(
    "email",
    [
        "no-reply@microsoft.com",
        "msonlineservicesteam@microsoftonline.com",
        "alerts@teams.mail.microsoft",
        "invites@office.com",
    ],
)
def test_microsofts_own_service_mail_is_a_machine_sender(policy, email):
    assert reason(run(sender(email), policy)) is SkipReason.MACHINE_SENDER


@pytest.mark.parametrize(
    "header",
    [
        {"List_Unsubscribe": "<mailto:leave@shop.example>"},
        {"List_Id": "<news.shop.example>"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"Precedence": "Junk"},
    ],
)
def test_newsletters_and_list_mail_are_bulk_mail(policy, header):
    assert reason(run(headers(sender("info@shop.example"), **header), policy)) is SkipReason.BULK_MAIL


def test_inference_classification_other_only_supports_other_signals(policy):
    other = sender("info@shop.example", inferenceClassification="other")
    [event] = run(other, policy)  # "other" alone: Outlook's guess, never enough
    assert event.citizen.email == "info@shop.example"
    assert reason(run(headers(other, Feedback_ID="123:shop"), policy)) is SkipReason.BULK_MAIL
    replies = sender(
        "info@shop.example",
        inferenceClassification="other",
        replyTo=[address("No Reply", "no-reply@shop.example")],
    )
    assert reason(run(replies, policy)) is SkipReason.BULK_MAIL
    [focused] = run(headers(sender("info@shop.example"), Feedback_ID="123:shop"), policy)
    assert focused.citizen.email == "info@shop.example"


def test_auto_submitted_auto_generated_is_a_machine_notice_and_a_vacation_reply_an_auto_reply(policy):
    assert reason(run(with_header("Auto-Submitted", "auto-generated"), policy)) is SkipReason.MACHINE_SENDER
    assert reason(run(with_header("Auto-Submitted", "auto-replied"), policy)) is SkipReason.AUTO_REPLY
    assert (
        reason(run(with_header("Auto-Submitted", "auto-generated; type=vacation"), policy))
        is SkipReason.AUTO_REPLY
    )


def test_the_policy_can_name_senders_that_always_are_machines(policy):
    listed = sender("meldingen@meldingen.leverancier.example")  # in the sample policy: always
    assert reason(run(listed, policy)) is SkipReason.MACHINE_SENDER
    own = policy.model_copy(
        update={
            "machine_senders": policy.machine_senders.model_copy(
                update={"always": ("ticket@helpdesk.example",)}
            )
        }
    )
    assert reason(run(sender("ticket@helpdesk.example"), own)) is SkipReason.MACHINE_SENDER
    [other] = run(sender("someone@helpdesk.example"), own)
    assert other.citizen.email == "someone@helpdesk.example"


def test_the_policy_can_name_senders_that_never_are_machines_though_bounces_still_skip(policy):
    council = headers(
        sender("secretariaat@wijkraad-centrum.example"), List_Id="<leden.wijkraad-centrum.example>"
    )
    [event] = run(council, policy)  # in the sample policy: never a machine, so its list mail is a contact
    assert event.citizen.email == "secretariaat@wijkraad-centrum.example"
    noreply = policy.model_copy(
        update={
            "machine_senders": policy.machine_senders.model_copy(
                update={"never": ("noreply@portaal.example",)}
            )
        }
    )
    [portal] = run(sender("noreply@portaal.example"), noreply)
    assert portal.citizen.email == "noreply@portaal.example"
    bounced = with_header("Content-Type", "multipart/report; report-type=delivery-status")
    bounced.update({"from": address("", "noreply@portaal.example")})
    assert reason(run(bounced, noreply)) is SkipReason.BOUNCE


def test_the_website_form_sender_keeps_working_though_it_is_a_no_reply_address(policy):
    from tests.unit.test_mail_normaliser import raw

    form = headers(raw("message_form_submission"), Auto_Submitted="no")
    [event] = run(form, policy, mailbox="omgeving@stad.example")
    assert event.citizen is not None and event.citizen.email != "noreply@stad.example"


def test_the_citys_own_list_mail_in_sent_items_is_not_judged_as_a_machine_sender(policy):
    sent = headers(inbound_raw(), List_Unsubscribe="<mailto:leave@stad.example>")
    sent["from"] = sent["sender"] = address("Burgerzaken", "noreply-nieuwsbrief@stad.example")
    sent["toRecipients"] = [address("Els", "els.vandenbroeck@telenet.be")]
    [event] = run(sent, policy, folder=MailFolder.SENT_ITEMS)
    assert event.citizen.email == "els.vandenbroeck@telenet.be"


def test_a_citizens_own_auto_reply_is_skipped_and_recorded_as_an_auto_reply(policy):
    """docs/capture-rules.md: the citizen wrote nothing to the city; their next real mail is a contact."""
    ooo = headers(
        sender(
            "els.vandenbroeck@telenet.be", "Els Van den Broeck", subject="Automatisch antwoord: Uw aanvraag"
        ),
        Auto_Submitted="auto-replied",
    )
    result = run(ooo, policy)
    assert reason(result) is SkipReason.AUTO_REPLY and "telenet" not in repr(result.to_json_dict())


def test_a_citizens_mail_through_a_mailing_list_is_list_mail_unless_the_policy_says_otherwise(policy):
    """docs/capture-rules.md: a citizen posting to a list the city's mailbox is on wrote to the list."""
    via_list = headers(
        sender("els.vandenbroeck@telenet.be"),
        List_Id="<buren.example>",
        List_Unsubscribe="<mailto:leave@buren.example>",
    )
    assert reason(run(via_list, policy)) is SkipReason.BULK_MAIL
    kept = policy.model_copy(
        update={
            "machine_senders": policy.machine_senders.model_copy(
                update={"never": ("els.vandenbroeck@telenet.be",)}
            )
        }
    )
    [event] = run(via_list, kept)
    assert event.citizen.email == "els.vandenbroeck@telenet.be"


@pytest.mark.timeout(20)  # a guard against a quadratic pattern hanging the suite, not a speed target
def test_a_hostile_reply_to_header_is_judged_in_linear_time(policy):
    """The checks split and look up; a megabyte of commas or dots costs milliseconds, not hours."""
    hostile = "," * 200_000 + "." * 200_000 + "a@" + "b." * 100_000 + "example"
    message = parse_message(
        headers(sender("info@shop.example", inferenceClassification="other"), Reply_To=hostile)
    )
    assert sent_by_software(message, "info@shop.example", policy) is None
    assert (
        is_machine_address("no-reply" * 50_000 + "@" + "x." * 100_000 + "example") is False
    )  # not an address
