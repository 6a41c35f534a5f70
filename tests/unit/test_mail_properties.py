"""Properties of mail and notification handling: what must not change the output, and what must change ids."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.mail import normalize_mail
from handlers.notifications import QueueNames, route_notifications
from schemas.capture_policy import load_policy
from schemas.graph_message import GraphMessage, MailFolder, parse_message
from settings import SAMPLE_POLICY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
POLICY = load_policy(SAMPLE_POLICY)
AT = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
BZ_ID = "6d2f0a11-0002-4a6b-8c1d-000000000002"
TENANT = "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b"
# Every key a Graph model of ours reads (aliases and, since populate_by_name is on, field names).
KNOWN_KEYS = {"emailaddress", "name", "address", "value", "id", "contenttype", "content", "messageclass"} | {
    key.lower() for field, info in GraphMessage.model_fields.items() for key in (field, info.alias or field)
}


def raw(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def normalise(message: dict[str, Any], folder: MailFolder = MailFolder.INBOX) -> Any:
    return normalize_mail(parse_message(message), mailbox="burgerzaken@stad.example", folder=folder,
                          policy=POLICY, captured_at=AT)


def flip_case(text: str, pattern: list[bool]) -> str:
    return "".join(c.upper() if pattern[i % len(pattern)] else c.lower() for i, c in enumerate(text))


cases = st.lists(st.booleans(), min_size=1, max_size=12)
unknown_keys = st.text(min_size=1, max_size=15).filter(lambda k: k.lower() not in KNOWN_KEYS and "@" not in k)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@given(pattern=cases)
def test_the_case_of_an_email_address_never_changes_the_event(pattern):
    message = raw("message_citizen_inbound")
    expected = normalise(message)
    for key in ("from", "sender"):
        address = message[key]["emailAddress"]["address"]
        message[key]["emailAddress"]["address"] = flip_case(address, pattern)
    assert normalise(message) == expected


@given(pattern=cases)
def test_the_case_of_recipient_addresses_never_changes_outbound_events(pattern):
    message = raw("message_sent_two_recipients")
    expected = normalise(message, MailFolder.SENT_ITEMS)
    for recipient in message["toRecipients"]:
        recipient["emailAddress"]["address"] = flip_case(recipient["emailAddress"]["address"], pattern)
    assert normalise(message, MailFolder.SENT_ITEMS) == expected


@given(extra=st.dictionaries(unknown_keys, json_values, max_size=4),
       nested=st.dictionaries(unknown_keys, json_values, max_size=3))
def test_unknown_fields_anywhere_never_change_the_event(extra, nested):
    message = raw("message_citizen_inbound")
    expected = normalise(message)
    message.update(extra)
    message["from"]["emailAddress"].update(nested)
    message["toRecipients"][0].update(nested)
    assert normalise(message) == expected


@given(order=st.permutations(range(4)), split=st.integers(min_value=0, max_value=4))
def test_recipient_order_and_field_never_change_outbound_events(order, split):
    message = raw("message_sent_two_recipients")
    expected = normalise(message, MailFolder.SENT_ITEMS)
    everyone = [*message["toRecipients"], *message["ccRecipients"], *message["bccRecipients"]]
    shuffled = [everyone[i] for i in order]
    message["toRecipients"], message["ccRecipients"] = shuffled[:split], shuffled[split:]
    message["bccRecipients"] = []
    assert normalise(message, MailFolder.SENT_ITEMS) == expected


@given(first=st.text(min_size=1, max_size=40), second=st.text(min_size=1, max_size=40))
def test_distinct_internet_message_ids_give_distinct_event_ids(first, second):
    message = raw("message_citizen_inbound")
    [one] = normalise({**message, "internetMessageId": first})
    [two] = normalise({**message, "internetMessageId": second})
    assert (one.event_id == two.event_id) == (first == second)


def route_one(item: dict[str, Any]) -> Any:
    batch = route_notifications(json.dumps({"value": [item]}).encode(), received_at=AT,
                                call_settle_seconds=120, queues=QueueNames())
    [queued] = batch.queued
    return queued.queue, queued.message_id, queued.body


@given(pattern=st.lists(st.booleans(), min_size=1, max_size=30), kind=st.sampled_from(["mail", "call"]))
def test_odata_type_casing_never_changes_the_routing(pattern, kind):
    name = "notification_mail_basic" if kind == "mail" else "notification_call_batch"
    item = raw(name)["value"][0]
    expected = route_one(item)
    varied = copy.deepcopy(item)
    varied["resourceData"]["@odata.type"] = flip_case(item["resourceData"]["@odata.type"], pattern)
    assert route_one(varied) == expected


@given(users=st.sampled_from(["users", "Users", "USERS"]), messages=st.sampled_from(["messages", "Messages"]),
       tenant=st.booleans(), parenthesised=st.booleans(), resource_data=st.booleans())
def test_the_resource_path_form_never_changes_the_routing(
    users, messages, tenant, parenthesised, resource_data
):
    item = raw("notification_mail_basic")["value"][0]
    expected = route_one(item)
    user = f"{BZ_ID}@{TENANT}" if tenant else BZ_ID
    message_id = item["resourceData"]["id"]
    path = (f"{users}('{user}')/{messages}('{message_id}')" if parenthesised
            else f"{users}/{user}/{messages}/{message_id}")
    varied = {**item, "resource": path}
    if not resource_data:
        del varied["resourceData"]
    assert route_one(varied) == expected


@settings(max_examples=50)
@given(first=st.text(min_size=1, max_size=30), second=st.text(min_size=1, max_size=30))
def test_distinct_messages_give_distinct_bus_message_ids(first, second):
    item = raw("notification_mail_basic")["value"][0]
    one = route_one({**item, "resourceData": {**item["resourceData"], "id": first}})
    two = route_one({**item, "resourceData": {**item["resourceData"], "id": second}})
    assert (one[1] == two[1]) == (first == second)
