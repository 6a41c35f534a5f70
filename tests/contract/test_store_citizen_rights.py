"""Rectification, restriction and objection on SQLite and PostgreSQL: a corrected identifier or name
never comes back with the next event; a restricted citizen is captured but found only by the privacy
role; a suppressed citizen's events are refused with a counted `suppressed` skip."""
# ruff: noqa: F811 - pytest fixtures imported from tests.contract.store_backends

from __future__ import annotations

import pytest

from adapters.store.tables import Contact, PartyIdentifier
from adapters.store.tables_ops import SkipRecord
from handlers.citizen_rights import RectificationRefused, identifier, rectify, restrict, suppress
from handlers.crm import RecordOutcome, record_contact
from handlers.event_ids import hashed_source_id
from handlers.lookup import lookup, party_timeline
from handlers.ports.store import IdentifierType
from handlers.privacy import read_audit
from tests.contract.store_backends import citizen, event, pg_store, postgres_url, sqlite_template, store  # noqa: F401 - fixtures
from tests.contract.test_store import count

DPO = "dpo@stad.example"
JAN_PHONE, WRONG = "+32475123456", "jan.peeters@wrong.example"


def _jan(store) -> int:
    record_contact(event("a", who=citizen(email=WRONG, phone=JAN_PHONE)), store.uow())
    with store.uow() as uow:
        return uow.contacts.get(event("a").event_id).party_id


def _identifiers(store, pid: int) -> set[tuple[str, str]]:
    with store.uow() as uow:
        return {(i.type, i.value) for i in uow.parties.identifiers(pid)}


def _fix_email(store, pid: int) -> None:
    rectify(
        store.uow(),
        pid,
        actor=DPO,
        reason="citizen: not my address",
        route="cli",
        remove=[identifier("email", WRONG)],
    )


def test_a_removed_wrong_email_does_not_come_back_with_the_next_event(store):
    pid = _jan(store)
    _fix_email(store, pid)
    assert _identifiers(store, pid) == {("phone", JAN_PHONE)}
    record_contact(event("b", who=citizen(email=WRONG, phone=JAN_PHONE)), store.uow())
    with store.uow() as uow:
        assert uow.contacts.get(event("b").event_id).party_id == pid
    assert _identifiers(store, pid) == {("phone", JAN_PHONE)}
    assert count(store, PartyIdentifier, PartyIdentifier.value == WRONG) == 0


def test_an_event_with_only_the_wrong_email_goes_to_its_own_party_not_the_corrected_one(store):
    pid = _jan(store)
    _fix_email(store, pid)
    record_contact(event("c", who=citizen(name="Other Person", email=WRONG, phone=None)), store.uow())
    with store.uow() as uow:
        other = uow.contacts.get(event("c").event_id).party_id
    assert other not in (None, pid)
    assert _identifiers(store, other) == {("email", WRONG)}


def test_a_removed_wrong_name_is_not_put_back_but_another_name_is_taken(store):
    pid = _jan(store)
    rectify(store.uow(), pid, actor=DPO, reason="wrong name read from a scan", route="cli", name=None)
    record_contact(event("d", who=citizen(name="JAN PEETERS", email=None, phone=JAN_PHONE)), store.uow())
    with store.uow() as uow:
        assert uow.parties.get(pid).display_name is None
    record_contact(event("e", who=citizen(name="Jan Peters", email=None, phone=JAN_PHONE)), store.uow())
    with store.uow() as uow:
        assert uow.parties.get(pid).display_name == "Jan Peters"


def test_a_corrected_name_replaces_the_old_and_is_found_by_name(store):
    pid = _jan(store)
    rectify(store.uow(), pid, actor=DPO, reason="spelling", route="cli", name="Jan Peeters-Claes")
    found = lookup(store.uow(), actor="els", reason="desk", name="peeters-claes")
    assert [p.party_id for p in found.parties] == [pid]


def test_rectification_is_audited_by_kind_never_by_value(store):
    pid = _jan(store)
    rectify(
        store.uow(),
        pid,
        actor=DPO,
        reason="ticket 31",
        route="cli",
        remove=[identifier("email", WRONG)],
        add=[identifier("email", "Jan.Peeters@Right.example")],
        name="Jan Peeters",
    )
    (entry,) = [
        e
        for e in read_audit(store.uow(), actor=DPO, reason="r", route="cli", party=pid)
        if e.action == "rectify"
    ]
    assert entry.detail == "removed email; added email"
    assert "wrong.example" not in entry.model_dump_json() and "right.example" not in entry.model_dump_json()
    assert ("email", "jan.peeters@right.example") in _identifiers(store, pid)


def test_removing_an_identifier_the_party_lacks_or_adding_one_another_party_owns_is_refused(store):
    pid = _jan(store)
    record_contact(event("x", who=citizen(name="An", email="an@example.be", phone=None)), store.uow())
    with pytest.raises(RectificationRefused):
        rectify(store.uow(), pid, actor=DPO, reason="r", route="cli", remove=[identifier("email", "no@x.be")])
    with pytest.raises(RectificationRefused, match="another party"):
        rectify(
            store.uow(), pid, actor=DPO, reason="r", route="cli", add=[identifier("email", "an@example.be")]
        )
    assert _identifiers(store, pid) == {("phone", JAN_PHONE), ("email", WRONG)}


def test_a_restricted_citizen_is_still_captured_but_found_only_by_the_privacy_role(store):
    pid = _jan(store)
    assert restrict(store.uow(), pid, actor=DPO, reason="Art. 18 request", route="cli") is True
    assert (
        record_contact(event("f", who=citizen(email=None, phone=JAN_PHONE)), store.uow())
        is RecordOutcome.CREATED
    )
    assert count(store, Contact, Contact.party_id == pid) == 2
    assert lookup(store.uow(), actor="els", reason="desk", phone=JAN_PHONE).parties == ()
    assert party_timeline(store.uow(), pid, actor="els", reason="desk") is None
    found = lookup(store.uow(), actor=DPO, reason="check", phone=JAN_PHONE, sees_restricted=True)
    assert [len(p.timeline) for p in found.parties] == [2]
    denied = [e for e in read_audit(store.uow(), actor=DPO, reason="r", route="cli", by="els")]
    assert [e.detail for e in denied] == ["by phone; restricted, not shown", "restricted, not shown"]


def test_lifting_a_restriction_shows_the_citizen_again(store):
    pid = _jan(store)
    restrict(store.uow(), pid, actor=DPO, reason="Art. 18", route="cli")
    assert restrict(store.uow(), pid, actor=DPO, reason="Art. 18", route="cli") is False  # already
    assert restrict(store.uow(), pid, actor=DPO, reason="resolved", route="cli", lift=True) is True
    assert [p.party_id for p in lookup(store.uow(), actor="els", reason="desk", phone=JAN_PHONE).parties] == [
        pid
    ]


def test_a_suppressed_citizen_s_events_are_refused_with_a_counted_suppressed_skip(store):
    pid = _jan(store)
    assert suppress(store.uow(), pid, actor=DPO, reason="Art. 21 objection", route="cli") == 2
    later = event("g", who=citizen(name="Jan", email=None, phone=JAN_PHONE))
    assert record_contact(later, store.uow()) is RecordOutcome.SUPPRESSED
    assert record_contact(later, store.uow()) is RecordOutcome.SUPPRESSED  # redelivery: still one skip
    assert count(store, Contact, Contact.event_id == str(later.event_id)) == 0
    skips = count(
        store,
        SkipRecord,
        SkipRecord.reason == "suppressed",
        SkipRecord.hashed_source_id == hashed_source_id(later.source.id),
    )
    assert skips == 1
    assert lookup(store.uow(), actor="els", reason="desk", phone=JAN_PHONE).parties == ()  # restricted too
    other = event("h", who=citizen(name="An", email="an@example.be", phone=None))
    assert record_contact(other, store.uow()) is RecordOutcome.CREATED


def test_identifiers_are_canonical_and_invalid_ones_refused():
    assert identifier("phone", "0475 12 34 56").value == JAN_PHONE
    assert identifier("email", " Jan@Example.BE ").type is IdentifierType.EMAIL
    with pytest.raises(RectificationRefused):
        identifier("phone", "not a number")
