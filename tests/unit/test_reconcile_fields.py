"""The reconciler compares every field the truth knows, sees contacts no truth row explains, and
checks the party mapping (merged and split citizens), without using Loket's own id functions."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import insert, select, update

from adapters.store.migrate import upgrade
from adapters.store.tables import Contact, Party, PartyIdentifier
from adapters.store.uow import SqlStore
from devhost.reconcile import reconcile, skip_key
from handlers.crm import record_contact
from handlers.event_ids import hashed_source_id
from schemas.contact_event import Address, Citizen, ContactEvent, Source

T0 = dt.datetime(2026, 11, 28, 9, 0, 0, 250000, tzinfo=dt.UTC)
WINDOW = (T0 - dt.timedelta(minutes=1), T0 + dt.timedelta(minutes=10))


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    upgrade(url)
    store = SqlStore.from_url(url)
    yield store
    store.dispose()


def mail(
    imid: str, email: str, *, mailbox: str = "info@stad.example", at: dt.datetime = T0, **kw
) -> ContactEvent:
    return ContactEvent(
        event_id=uuid.uuid4(),  # the reconciler must not care how Loket derives the id
        channel="mail",
        direction="inbound",
        occurred_at=at,
        outcome="received",
        citizen=Citizen(email=email),
        departments=("Onthaal",),
        subject=kw.get("subject", "Afspraak maken"),
        summary=kw.get("summary", "Beste, graag een afspraak."),
        source=Source(system="graph-mail", id=imid, version=1, mailboxes=(mailbox,)),
        captured_at=kw.get("captured_at", T0),
    )


def truth_mail(imid: str, email: str, **changes) -> dict:
    row = {
        "channel": "mail",
        "scenario": "mail.inbound",
        "source_id": imid,
        "captured": True,
        "reason": None,
        "recipient": None,
        "citizen": {"email": email},
        "direction": "inbound",
        "departments": ["Onthaal"],
        "agent": None,
        "outcome": "received",
        "version": 1,
        "faults": [],
        "occurred_at": "2026-11-28T09:00:00Z",
        "duration": None,
        "mailboxes": ["info@stad.example"],
        "texts": {"subject": "Afspraak maken", "summary": "Beste, graag een afspraak."},
    }
    return {**row, **changes}


def call(record_id: str, phone: str, seconds: int = 95) -> ContactEvent:
    return ContactEvent(
        event_id=uuid.uuid4(),
        channel="phone",
        direction="inbound",
        occurred_at=T0,
        ended_at=T0 + dt.timedelta(seconds=seconds),
        duration_seconds=seconds,
        outcome="answered",
        citizen=Citizen(phone=phone),
        departments=("Burgerzaken",),
        source=Source(system="graph-callrecords", id=record_id, version=1),
        captured_at=T0,
    )


def truth_call(record_id: str, phone: str, **changes) -> dict:
    row = truth_mail(record_id, "x", channel="phone", scenario="phone.answered_real", outcome="answered")
    row.update(citizen={"phone": phone}, departments=["Burgerzaken"], duration=95, mailboxes=None)
    row["texts"] = {"subject": None, "summary": None}
    return {**row, **changes}


def result_of(store, truth, **kw) -> dict:
    return reconcile(truth, store.engine, **kw).to_json()


def test_a_clean_store_reconciles_to_all_zeros_with_every_field_compared(store) -> None:
    record_contact(mail("<a@x>", "els@telenet.be"), store.uow())
    record_contact(call("rec-1", "+32475123456"), store.uow())
    result = result_of(
        store, [truth_mail("<a@x>", "els@telenet.be"), truth_call("rec-1", "+32475123456")], window=WINDOW
    )
    assert {k: result[k] for k in ("generated", "captured", "missing", "duplicated", "extra", "wrong")} == {
        "generated": 2,
        "captured": 2,
        "missing": 0,
        "duplicated": 0,
        "extra": 0,
        "wrong": 0,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_at": "2026-11-27T09:00:00Z"}, "occurred_at"),
        ({"occurred_at": "2026-11-28T09:00:01Z"}, "occurred_at"),
        ({"mailboxes": ["burgerzaken@stad.example"]}, "mailboxes"),
        ({"texts": {"subject": "Iets anders"}}, "subject"),
        ({"texts": {"summary": None}}, "summary"),
        ({"direction": "outbound"}, "direction"),
        ({"channel": "post"}, "channel"),
    ],
)
def test_each_field_the_truth_knows_is_compared(store, change, field) -> None:
    record_contact(mail("<a@x>", "els@telenet.be"), store.uow())
    truth = [truth_mail("<a@x>", "els@telenet.be", **change)]
    if field == "channel":  # a contact under the right source id but on another channel is not this row's
        result = result_of(store, truth)
        assert result["missing"] == 1
        return
    result = result_of(store, truth)
    assert (result["wrong"], result["wrong_fields"]) == (1, {field: 1})


def test_occurred_at_is_compared_to_the_second_not_below(store) -> None:
    record_contact(mail("<a@x>", "els@telenet.be", at=T0.replace(microsecond=999999)), store.uow())
    assert result_of(store, [truth_mail("<a@x>", "els@telenet.be")])["captured"] == 1


def test_a_call_of_another_length_is_wrong(store) -> None:
    record_contact(call("rec-1", "+32475123456", seconds=96), store.uow())
    result = result_of(store, [truth_call("rec-1", "+32475123456")])
    assert result["wrong_fields"] == {"duration": 1}


def test_a_contact_in_the_window_that_no_run_explains_is_extra_and_others_are_not(store) -> None:
    record_contact(mail("<a@x>", "els@telenet.be"), store.uow())
    record_contact(mail("<stray@x>", "jan@telenet.be"), store.uow())
    record_contact(mail("<other-run@x>", "an@telenet.be"), store.uow())
    record_contact(
        mail("<last-week@x>", "wim@telenet.be", captured_at=T0 - dt.timedelta(days=7)), store.uow()
    )
    truth = [truth_mail("<a@x>", "els@telenet.be")]
    result = result_of(store, truth, window=WINDOW, explained={("mail", "<other-run@x>")})
    assert (result["extra"], result["by_channel"]["mail"]["extra"], result["captured"]) == (1, 1, 1)
    assert result_of(store, truth)["extra"] == 0  # no window, no claim about extras


def test_a_copy_under_a_new_event_id_is_duplicated_whatever_loket_would_call_it(store) -> None:
    record_contact(mail("<a@x>", "els@telenet.be"), store.uow())
    record_contact(mail("<a@x>", "els@telenet.be"), store.uow())  # another event id, same message
    result = result_of(store, [truth_mail("<a@x>", "els@telenet.be")], window=WINDOW)
    assert (result["captured"], result["duplicated"], result["extra"]) == (1, 1, 0)


def _party_of(store, email: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(
            select(PartyIdentifier.party_id).where(PartyIdentifier.value == email)
        ).scalar_one()


def test_two_citizens_merged_into_one_party_are_wrong_with_the_kind_named(store) -> None:
    record_contact(mail("<a@x>", "els@telenet.be"), store.uow())
    record_contact(mail("<b@x>", "jan@telenet.be"), store.uow())
    keep, other = _party_of(store, "els@telenet.be"), _party_of(store, "jan@telenet.be")
    with store.engine.begin() as conn:  # a merge as `parties merge` would make it: identifiers too
        conn.execute(update(Contact).where(Contact.party_id == other).values(party_id=keep))
        conn.execute(update(PartyIdentifier).where(PartyIdentifier.party_id == other).values(party_id=keep))
    result = result_of(store, [truth_mail("<a@x>", "els@telenet.be"), truth_mail("<b@x>", "jan@telenet.be")])
    assert (result["wrong"], result["wrong_fields"]) == (2, {"party:merged": 2})


def test_one_citizen_split_over_two_parties_is_wrong_with_the_kind_named(store) -> None:
    record_contact(mail("<a@x>", "els@telenet.be"), store.uow())
    record_contact(mail("<b@x>", "els@telenet.be"), store.uow())
    with store.engine.begin() as conn:
        new = conn.execute(
            insert(Party).values(display_name=None, name_folded=None, created_at=T0, updated_at=T0)
        ).inserted_primary_key[0]
        conn.execute(update(Contact).where(Contact.source_id == "<b@x>").values(party_id=new))
    result = result_of(store, [truth_mail("<a@x>", "els@telenet.be"), truth_mail("<b@x>", "els@telenet.be")])
    assert result["wrong"] == 2
    assert result["wrong_fields"]["party:split"] == 2


def test_a_letter_linking_mail_and_phone_that_loket_flags_for_review_is_no_split(store) -> None:
    """Mail by e-mail, a call by phone (two parties), then a letter with both: Loket attaches the letter
    to the e-mail's party and flags the pair for review. That is not a wrong party mapping."""
    record_contact(mail("<a@x>", "els@telenet.be"), store.uow())
    record_contact(call("rec-1", "+32475123456"), store.uow())
    letter = ContactEvent(
        event_id=uuid.uuid4(),
        channel="post",
        direction="inbound",
        occurred_at=T0,
        outcome="received",
        citizen=Citizen(
            email="els@telenet.be",
            phone="+32475123456",
            display_name="Els Peeters",
            address=Address(street="Kerkstraat", number="1", postal_code="3580", city="Beringen"),
        ),
        departments=("Onthaal",),
        source=Source(system="scan", id="ab" * 32, version=2),
        captured_at=T0,
    )
    record_contact(letter, store.uow())
    post = truth_mail(
        "ab" * 32,
        "x",
        channel="post",
        scenario="post.with_sidecar",
        version=2,
        mailboxes=None,
        citizen={"email": "els@telenet.be", "phone": "+32475123456"},
        texts={},
    )
    truth = [truth_mail("<a@x>", "els@telenet.be"), truth_call("rec-1", "+32475123456"), post]
    result = result_of(store, truth)
    assert (result["captured"], result["wrong"]) == (3, 0), result["problems"]


def test_outbound_mail_to_two_citizens_is_matched_by_recipient(store) -> None:
    imid = "<reply@stad.example>"
    for email in ("els@telenet.be", "jan@skynet.be"):
        event = mail(imid, email).model_dump()
        record_contact(ContactEvent(**{**event, "direction": "outbound", "outcome": "sent"}), store.uow())
    truth = [
        truth_mail(imid, email, recipient=email, direction="outbound", outcome="sent")
        for email in ("jan@skynet.be", "els@telenet.be")
    ]
    result = result_of(store, truth)
    assert (result["captured"], result["duplicated"], result["wrong"]) == (2, 0, 0)


def test_problems_name_hashed_source_keys_never_the_source_id(store) -> None:
    record_contact(mail("<a@x>", "els@telenet.be", subject="Verkeerd"), store.uow())
    truth = [truth_mail("<a@x>", "els@telenet.be"), truth_mail("<gone@x>", "jan@telenet.be")]
    result = result_of(store, truth)
    assert [p["verdict"] for p in result["problems"]] == ["wrong", "missing"]
    text = json.dumps(result)
    assert "<a@x>" not in text and "els@telenet.be" not in text and "<gone@x>" not in text
    assert all(len(p["key"]) == 16 for p in result["problems"])


def test_the_reconcilers_skip_key_is_the_one_the_store_records() -> None:
    """The one contract shared with Loket: design.md's hashed source id of a skip record."""
    assert skip_key("<auto@x>") == hashed_source_id("<auto@x>")
