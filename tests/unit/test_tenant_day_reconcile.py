"""Reconciling a simulated day against the CRM store: every truth row gets one verdict, wrong fields
are named, and a second contact made from one source counts as duplicated."""

from __future__ import annotations

import datetime as dt

import pytest

from adapters.store.migrate import upgrade
from adapters.store.uow import SqlStore
from devhost.reconcile import reconcile
from handlers.crm import record_contact, record_skip
from handlers.event_ids import mail_event_id, phone_event_id
from handlers.skips import Skip, SkipReason
from schemas.contact_event import Agent, Citizen, ContactEvent, Source

T0 = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
PHONE = "+32475123456"


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    upgrade(url)
    store = SqlStore.from_url(url)
    yield store
    store.dispose()


def call(
    record_id: str,
    *,
    department: str = "Burgerzaken",
    outcome: str = "answered",
    version: int = 1,
    agent: str | None = "a-1",
    phone: str | None = PHONE,
) -> ContactEvent:
    return ContactEvent(
        event_id=phone_event_id(record_id),
        channel="phone",
        direction="inbound",
        occurred_at=T0,
        outcome=outcome,
        citizen=Citizen(phone=phone) if phone else None,
        departments=(department,),
        agent=Agent(id=agent) if agent else None,
        source=Source(system="graph-callrecords", id=record_id, version=version),
        captured_at=T0,
    )


def truth_call(record_id: str, **changes) -> dict:
    row = {
        "channel": "phone",
        "scenario": "phone.answered_real",
        "source_id": record_id,
        "captured": True,
        "reason": None,
        "recipient": None,
        "citizen": {"phone": PHONE},
        "direction": "inbound",
        "departments": ["Burgerzaken"],
        "agent": "a-1",
        "outcome": "answered",
        "version": 1,
        "faults": [],
    }
    return {**row, **changes}


def truth_skip(source_id: str, reason: str) -> dict:
    return {
        "channel": "mail",
        "scenario": "mail.auto_reply",
        "source_id": source_id,
        "captured": False,
        "reason": reason,
        "faults": [],
    }


def test_each_truth_row_gets_one_verdict_and_wrong_fields_are_named(store) -> None:
    record_contact(call("c-right"), store.uow())
    record_contact(call("c-dept", department="Omgeving"), store.uow())
    record_contact(call("c-old", outcome="abandoned", agent=None), store.uow())
    record_skip(Skip(SkipReason.AUTO_REPLY, "<auto@x>"), store.uow())
    record_skip(Skip(SkipReason.BOUNCE, "<bounce@x>"), store.uow())
    truth = [
        truth_call("c-right"),
        truth_call("c-dept"),
        truth_call("c-old", version=2),
        truth_call("c-never"),
        truth_skip("<auto@x>", "auto_reply"),
        truth_skip("<bounce@x>", "auto_reply"),
        truth_skip("<gone@x>", "bounce"),
    ]
    result = reconcile(truth, store.engine).to_json()
    assert {k: result[k] for k in ("generated", "captured", "skipped", "missing", "wrong", "duplicated")} == {
        "generated": 7,
        "captured": 1,
        "skipped": 1,
        "missing": 2,
        "wrong": 3,
        "duplicated": 0,
    }
    assert result["wrong_fields"] == {
        "department": 1,
        "agent": 1,
        "outcome": 1,
        "version": 1,
        "skip_reason:bounce": 1,
    }
    assert result["skip_reasons"] == {"auto_reply": 1}
    assert result["by_channel"]["phone"]["missing"] == 1 and result["by_channel"]["mail"]["missing"] == 1
    assert result["missing_scenarios"] == {"phone.answered_real": 1, "mail.auto_reply": 1}


def test_a_contact_for_someone_else_is_a_wrong_citizen_and_an_anonymous_one_must_stay_anonymous(
    store,
) -> None:
    record_contact(call("c-other", phone="+32475999999"), store.uow())
    record_contact(call("c-anon", phone=None), store.uow())
    record_contact(call("c-named"), store.uow())
    truth = [truth_call("c-other"), truth_call("c-anon", citizen=None), truth_call("c-named", citizen=None)]
    result = reconcile(truth, store.engine).to_json()
    assert (result["captured"], result["wrong"], result["wrong_fields"]) == (1, 2, {"citizen": 2})


def test_a_second_contact_from_one_source_is_counted_as_duplicated(store) -> None:
    imid = "<reply-1@stad.example>"

    def sent(recipient: str) -> ContactEvent:
        return ContactEvent(
            event_id=mail_event_id(imid, recipient),
            channel="mail",
            direction="outbound",
            occurred_at=T0,
            outcome="sent",
            citizen=Citizen(email=recipient),
            departments=("Onthaal",),
            source=Source(system="graph-mail", id=imid, version=1, mailboxes=("info@stad.example",)),
            captured_at=T0,
        )

    record_contact(sent("els@telenet.be"), store.uow())
    record_contact(sent("collega@elders.be"), store.uow())
    row = {
        "channel": "mail",
        "scenario": "mail.reply",
        "source_id": imid,
        "captured": True,
        "reason": None,
        "recipient": "els@telenet.be",
        "citizen": {"email": "els@telenet.be"},
        "direction": "outbound",
        "departments": ["Onthaal"],
        "agent": None,
        "outcome": "sent",
        "version": 1,
        "faults": [],
    }
    result = reconcile([row], store.engine)
    assert (result.counts["captured"], result.counts["duplicated"], result.clean) == (1, 1, False)


def test_a_contact_where_a_skip_was_expected_is_wrong_not_skipped(store) -> None:
    record_contact(call("c-internal"), store.uow())
    row = {**truth_skip("c-internal", "internal_call"), "channel": "phone"}
    result = reconcile([row], store.engine).to_json()
    assert (result["wrong"], result["wrong_fields"]) == (1, {"captured_instead_of_skip": 1})


def test_the_json_has_design_md_shape_top_level_integers_then_the_breakdowns(store) -> None:
    record_contact(call("c-1"), store.uow())
    result = reconcile([truth_call("c-1")], store.engine).to_json()
    head = ["generated", "captured", "skipped", "missing", "duplicated", "extra", "wrong"]
    assert list(result)[:9] == [*head, "by_channel", "skip_reasons"]
    assert all(type(result[k]) is int for k in head)
    assert list(result["by_channel"]["phone"]) == [*head, "skip_reasons"]
