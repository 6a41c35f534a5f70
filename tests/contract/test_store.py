"""The CRM store contract, run on SQLite and PostgreSQL: matching, versions, look-ups, GDPR, races."""
# ruff: noqa: F811 - pytest fixtures imported from tests.contract.store_backends

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from adapters.store.tables import Contact, Party, PartyIdentifier
from adapters.store.tables_ops import AuditEntry, ErasureTombstone, SkipRecord
from adapters.store.uow import SqlStore, SqlUnitOfWork
from handlers.crm import RecordOutcome, record_contact, record_skip, tombstone_key
from handlers.gdpr import UnknownParty, apply_retention, erase_party, export_party
from handlers.lookup import LookupRefused, lookup
from handlers.review import merge_parties, review_pairs, split_parties
from handlers.skips import Skip, SkipReason
from schemas.contact_event import Address
from tests.contract.store_backends import T0, citizen, event, pg_store, postgres_url, sqlite_template, store  # noqa: F401 - fixtures

WHO = "tester"
ADDRESS = Address(street="Kerkstraat", number="12", postal_code="3580", city="Beringen")


def count(store: SqlStore, model: type, *where: object) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model).where(*where)) or 0


def contact_row(store: SqlStore, ev) -> Contact | None:
    with store.uow() as uow:
        row = uow.session.scalar(select(Contact).where(Contact.event_id == str(ev.event_id)))
        uow.session.expunge_all()  # readable after the unit of work ends
        return row


def party_of(store: SqlStore, ev) -> int | None:
    row = contact_row(store, ev)
    return row.party_id if row else None


def record(store: SqlStore, ev) -> RecordOutcome:
    return record_contact(ev, store.uow())


# --- identity matching ---------------------------------------------------------------------------


def test_a_first_contact_creates_a_party_holding_its_identifiers(store):
    assert record(store, event("a")) is RecordOutcome.CREATED
    assert count(store, Party) == 1
    assert count(store, PartyIdentifier) == 2  # e-mail and phone; no address given


def test_contacts_with_a_shared_identifier_land_on_one_party_and_new_identifiers_join_it(store):
    record(store, event("a", who=citizen(email=None, phone="+32475123456")))
    record(store, event("b", who=citizen(email="jan@example.be", phone="+32475123456")))
    assert party_of(store, event("a")) == party_of(store, event("b"))
    assert count(store, Party) == 1
    assert count(store, PartyIdentifier, PartyIdentifier.type == "email") == 1


def test_a_letter_matches_by_address_and_name_and_gives_the_party_an_email(store):
    letter = event(
        "l1", channel="post", who=citizen(name="Jan Peeters", email=None, phone=None, address=ADDRESS)
    )
    record(store, letter)
    mail = event(
        "m1",
        channel="mail",
        who=citizen(
            name="JAN PEETERS",
            email="jan@example.be",
            phone=None,
            address=Address(street="kerkstraat ", number="12", postal_code="B-3580", city="BERINGEN"),
        ),
    )
    record(store, mail)
    assert party_of(store, letter) == party_of(store, mail)
    assert count(store, PartyIdentifier, PartyIdentifier.type == "email") == 1


def test_identifiers_of_two_parties_go_to_the_strongest_match_and_flag_the_pair(store):
    record(store, event("a", who=citizen(name="Jan", email="jan@example.be", phone=None)))
    record(store, event("b", who=citizen(name="Els", email=None, phone="+32475999999")))
    both = event("c", who=citizen(name="Jan", email="jan@example.be", phone="+32475999999"))
    record(store, both)
    assert party_of(store, both) == party_of(store, event("a"))
    with store.uow() as uow:
        pairs = uow.parties.pairs("open")
    assert [(p.party_a, p.party_b, p.reason) for p in pairs] == [
        (party_of(store, event("a")), party_of(store, event("b")), "email vs phone")
    ]
    assert count(store, PartyIdentifier, PartyIdentifier.party_id == party_of(store, event("b"))) == 1


def test_anonymous_and_unidentified_contacts_are_stored_without_a_party(store):
    assert record(store, event("anon", anonymous=True)) is RecordOutcome.CREATED
    name_only = event("name", channel="post", outcome="unidentified", who=citizen(email=None, phone=None))
    assert record(store, name_only) is RecordOutcome.CREATED
    assert party_of(store, event("anon")) is None and party_of(store, name_only) is None
    assert count(store, Party) == 0 and count(store, Contact) == 2


# --- versions and idempotency --------------------------------------------------------------------


def test_a_replayed_or_redelivered_event_never_creates_a_second_contact(store):
    first = event("x")
    assert record(store, first) is RecordOutcome.CREATED
    assert [record(store, first) for _ in range(3)] == [RecordOutcome.DUPLICATE] * 3
    assert count(store, Contact) == 1 and count(store, Party) == 1


def test_an_equal_version_from_a_second_mailbox_merges_departments_and_mailboxes(store):
    record(store, event("m", channel="mail", departments=("Onthaal",), mailboxes=("info@stad.example",)))
    second = event("m", channel="mail", departments=("Financiën",), mailboxes=("financien@stad.example",))
    assert record(store, second) is RecordOutcome.MERGED
    with store.uow() as uow:
        stored = uow.contacts.get(second.event_id)
    assert stored.departments == {"Onthaal", "Financiën"}
    assert stored.mailboxes == ("info@stad.example", "financien@stad.example")
    assert record(store, second) is RecordOutcome.DUPLICATE


def test_a_higher_version_replaces_and_a_late_older_version_never_overwrites_it(store):
    record(store, event("c", version=1, outcome="missed", duration=0))
    assert record(store, event("c", version=3, outcome="answered", duration=300)) is RecordOutcome.REPLACED
    assert (
        record(store, event("c", version=2, outcome="voicemail", duration=10)) is RecordOutcome.IGNORED_OLDER
    )
    row = contact_row(store, event("c"))
    assert (row.version, row.outcome, row.duration_seconds) == (3, "answered", 300)
    assert count(store, Contact) == 1


def test_a_newer_letter_version_with_a_sender_links_the_contact_to_a_party(store):
    unread = event("p", channel="post", outcome="unidentified", anonymous=True)
    record(store, unread)
    assert party_of(store, unread) is None
    record(store, event("p", channel="post", version=2, outcome="received"))
    assert party_of(store, unread) is not None


# --- skips ---------------------------------------------------------------------------------------


def test_a_skip_is_recorded_once_by_hashed_source_id_only(store):
    skip = Skip(SkipReason.AUTO_REPLY, "AAMkAD-message-of-jan@example.be")
    assert record_skip(skip, store.uow()) is True
    assert record_skip(skip, store.uow()) is False
    with store.uow() as uow:
        rows = uow.session.scalars(select(SkipRecord)).all()
        uow.session.expunge_all()
    assert [r.reason for r in rows] == ["auto_reply"]
    assert "jan" not in rows[0].hashed_source_id and len(rows[0].hashed_source_id) == 64


# --- look-ups ------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0475 12 34 56", "+32 475 12 34 56", "0032475123456", "0475/12.34.56"])
def test_a_phone_look_up_finds_the_party_whatever_belgian_format_is_typed(store, typed):
    record(store, event("a"))
    found = lookup(store.uow(), actor=WHO, reason="citizen on the line", phone=typed)
    assert [p.party_id for p in found.parties] == [party_of(store, event("a"))]


def test_an_email_look_up_ignores_case_and_an_unknown_one_finds_nothing(store):
    record(store, event("a"))
    assert len(lookup(store.uow(), actor=WHO, reason="r", email=" Jan.Peeters@Example.BE ").parties) == 1
    assert lookup(store.uow(), actor=WHO, reason="r", email="els@example.be").parties == ()


@pytest.mark.parametrize("typed", ["desiree", "DÉSIRÉE", "van den broeck", "rée Van", "Broeck"])
def test_a_name_look_up_is_partial_and_ignores_case_and_accents(store, typed):
    record(store, event("a", who=citizen(name="Désirée Van den Broeck", email="d@example.be")))
    record(store, event("b", who=citizen(name="Jan Peeters", email="jan@example.be", phone=None)))
    found = lookup(store.uow(), actor=WHO, reason="r", name=typed)
    assert [p.display_name for p in found.parties] == ["Désirée Van den Broeck"]


def test_like_wildcards_typed_in_a_name_are_no_letters_to_search_on(store):
    record(store, event("a", who=citizen(name="Jan Peeters")))
    with pytest.raises(LookupRefused):  # names are searched on letters only: "%_" has none
        lookup(store.uow(), actor=WHO, reason="r", name="%_")
    assert lookup(store.uow(), actor=WHO, reason="r", name="100%").parties == ()


def test_the_timeline_runs_across_channels_newest_first_with_department_agent_outcome_duration(store):
    record(
        store,
        event(
            "old",
            channel="post",
            departments=("Omgeving",),
            at=T0,
            duration=None,
            agent=None,
            outcome="received",
        ),
    )
    record(store, event("new", channel="phone", at=T0 + dt.timedelta(days=2), outcome="missed", duration=0))
    record(
        store,
        event(
            "mid",
            channel="mail",
            departments=("Onthaal",),
            at=T0 + dt.timedelta(days=1),
            outcome="received",
            duration=None,
            agent="agent-2",
        ),
    )
    (party,) = lookup(store.uow(), actor=WHO, reason="r", phone="0475123456").parties
    assert [(e.channel, e.departments, e.agent, e.outcome, e.duration_seconds) for e in party.timeline] == [
        ("phone", ("Burgerzaken",), "Agent agent-1", "missed", 0),
        ("mail", ("Onthaal",), "Agent agent-2", "received", None),
        ("post", ("Omgeving",), None, "received", None),
    ]


def test_helped_before_gives_the_last_contact_per_department_and_how_it_ended(store):
    record(store, event("1", at=T0, outcome="answered"))
    record(store, event("2", at=T0 + dt.timedelta(days=3), outcome="abandoned", duration=30))
    record(
        store,
        event(
            "3",
            channel="mail",
            departments=("Financiën",),
            at=T0 + dt.timedelta(days=1),
            outcome="received",
            duration=None,
        ),
    )
    (party,) = lookup(store.uow(), actor=WHO, reason="r", phone="0475123456").parties
    summary = {s.department: (s.contacts, s.last_outcome, s.last_at) for s in party.helped_before}
    assert summary == {
        "Burgerzaken": (2, "abandoned", T0 + dt.timedelta(days=3)),
        "Financiën": (1, "received", T0 + dt.timedelta(days=1)),
    }


def test_every_look_up_is_audited_with_who_why_and_which_party_but_not_the_query_value(store):
    record(store, event("a"))
    lookup(store.uow(), actor="els", reason="callback request", phone="0475 12 34 56")
    lookup(store.uow(), actor="els", reason="no match expected", email="nobody@example.be")
    with store.uow() as uow:
        entries = [(e.actor, e.action, e.party_id, e.reason, e.detail) for e in uow.ledger.audit_entries()]
    pid = party_of(store, event("a"))
    assert entries == [
        ("els", "lookup", pid, "callback request", "by phone"),
        ("els", "lookup", None, "no match expected", "by email"),
    ]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_look_up_without_a_reason_is_refused_and_reads_nothing(store, reason):
    record(store, event("a"))
    with pytest.raises(LookupRefused):
        lookup(store.uow(), actor=WHO, reason=reason, phone="0475123456")
    assert count(store, AuditEntry) == 0


# --- review --------------------------------------------------------------------------------------


def _conflict(store: SqlStore) -> tuple[int, int]:
    record(store, event("a", who=citizen(name="Jan", email="jan@example.be", phone=None)))
    record(store, event("b", who=citizen(name="Els", email=None, phone="+32475999999")))
    record(store, event("c", who=citizen(name="Jan", email="jan@example.be", phone="+32475999999")))
    return party_of(store, event("a")), party_of(store, event("b"))


def test_merging_a_flagged_pair_moves_contacts_and_identifiers_and_is_audited(store):
    keep, other = _conflict(store)
    assert [(p.party_a, p.party_b) for p in review_pairs(store.uow(), actor=WHO)] == [(keep, other)]
    merge_parties(store.uow(), keep, other, actor=WHO, reason="same person, confirmed by phone")
    assert count(store, Party) == 1 and count(store, Contact, Contact.party_id == keep) == 3
    assert count(store, PartyIdentifier, PartyIdentifier.party_id == keep) == 2
    assert review_pairs(store.uow(), actor=WHO) == []
    assert count(store, AuditEntry, AuditEntry.action == "merge", AuditEntry.party_id == keep) == 1


def test_splitting_a_pair_keeps_both_parties_and_the_conflict_is_not_flagged_again(store):
    a, b = _conflict(store)
    assert split_parties(store.uow(), a, b, actor=WHO, reason="father and son") is True
    record(store, event("d", who=citizen(name="Jan", email="jan@example.be", phone="+32475999999")))
    assert review_pairs(store.uow(), actor=WHO) == []
    assert [p.status for p in review_pairs(store.uow(), actor=WHO, status=None)] == ["split"]
    assert count(store, Party) == 2
    assert split_parties(store.uow(), a, b, actor=WHO, reason="again") is False


# --- GDPR ----------------------------------------------------------------------------------------


def test_export_holds_everything_on_the_party_and_is_audited(store):
    events = [
        event("a", who=citizen(address=ADDRESS)),
        event("b", channel="mail", departments=("Onthaal",), duration=None),
    ]
    for ev in events:
        record(store, ev)
    pid = party_of(store, events[0])
    document = export_party(store.uow(), pid, actor=WHO, reason="access request 2026-17")
    assert {i["type"] for i in document["identifiers"]} == {"email", "phone", "address"}
    assert sorted(c["event_id"] for c in document["contacts"]) == sorted(str(e.event_id) for e in events)
    assert count(store, AuditEntry, AuditEntry.action == "export", AuditEntry.party_id == pid) == 1


def test_an_erased_contact_never_comes_back_by_replay_or_a_newer_version(store):
    record(store, event("a"))
    record(store, event("b", channel="mail", duration=None))
    pid = party_of(store, event("a"))
    report = erase_party(store.uow(), pid, actor=WHO, reason="erasure request 2026-18")
    assert (report.contacts, report.identifiers) == (2, 2)
    assert count(store, Contact) == 0 and count(store, PartyIdentifier) == 0 and count(store, Party) == 0
    assert record(store, event("a")) is RecordOutcome.REFUSED_ERASED
    assert record(store, event("a", version=5)) is RecordOutcome.REFUSED_ERASED
    assert count(store, Contact) == 0
    assert (
        count(store, ErasureTombstone, ErasureTombstone.event_hash == tombstone_key(event("a").event_id)) == 1
    )
    assert lookup(store.uow(), actor=WHO, reason="r", phone="0475123456").parties == ()


def test_the_erasure_audit_entry_keeps_no_personal_data(store):
    record(store, event("a"))
    pid = party_of(store, event("a"))
    erase_party(store.uow(), pid, actor=WHO, reason="erasure request")
    with store.uow() as uow:
        (entry,) = [e for e in uow.ledger.audit_entries(pid) if e.action == "erase"]
        text = f"{entry.actor} {entry.reason} {entry.detail}"
    assert "Jan" not in text and "475" not in text and "example.be" not in text
    with pytest.raises(UnknownParty):
        erase_party(store.uow(), pid, actor=WHO, reason="twice")


def test_retention_removes_contacts_past_their_channel_limit_and_parties_left_empty(store, policy):
    now = T0 + dt.timedelta(days=400)
    call = event("old-call", at=T0)  # phone: 365 days -> expired
    mail = event("old-mail", channel="mail", at=T0, duration=None)  # mail: 730 days -> kept
    other = event("other", at=T0, who=citizen(name="Els", email="els@example.be", phone="+32475999999"))
    for ev in (call, mail, other):
        record(store, ev)
    removed = apply_retention(store.uow(), policy, now)
    assert removed == {"mail": 0, "phone": 2, "post": 0, "parties": 1, "audit": 0}
    assert (contact_row(store, call), contact_row(store, mail) is not None) == (None, True)
    assert record(store, call) is RecordOutcome.REFUSED_ERASED
    assert count(store, Party) == 1


# --- concurrency ---------------------------------------------------------------------------------


class _BarrierBefore:
    """Wraps a repository: `method` waits at the barrier, so both writers have read before either writes."""

    def __init__(self, inner: object, method: str, barrier: threading.Barrier) -> None:
        self._inner, self._method, self._barrier = inner, method, barrier

    def __getattr__(self, name: str):
        target = getattr(self._inner, name)
        if name != self._method:
            return target

        def waiting(*args, **kwargs):
            self._barrier.wait(timeout=20)
            return target(*args, **kwargs)

        return waiting


def _race(store: SqlStore, events: list, repo: str, method: str) -> list[RecordOutcome]:
    barrier = threading.Barrier(len(events))
    outcomes: list[RecordOutcome] = []
    errors: list[BaseException] = []

    class BarrierUow(SqlUnitOfWork):
        def __enter__(self):
            super().__enter__()
            setattr(self, repo, _BarrierBefore(getattr(self, repo), method, barrier))
            return self

    def write(ev):
        try:
            outcomes.append(record_contact(ev, BarrierUow(store._sessions)))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(ev,)) for ev in events]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    return sorted(outcomes)


@pytest.mark.postgresql
def test_two_writers_inserting_the_same_event_behind_a_barrier_leave_exactly_one_contact(pg_store):
    outcomes = _race(pg_store, [event("same"), event("same")], "contacts", "insert")
    assert outcomes == [RecordOutcome.CREATED, RecordOutcome.DUPLICATE]
    assert count(pg_store, Contact) == 1 and count(pg_store, Party) == 1


@pytest.mark.postgresql
def test_two_versions_racing_end_with_the_higher_one(pg_store):
    outcomes = _race(
        pg_store, [event("v", version=1, outcome="missed"), event("v", version=2)], "contacts", "insert"
    )
    assert RecordOutcome.CREATED in outcomes
    row = contact_row(pg_store, event("v"))
    assert (count(pg_store, Contact), row.version, row.outcome) == (1, 2, "answered")


@pytest.mark.postgresql
def test_two_newer_versions_replacing_at_once_never_leave_the_older_one(pg_store):
    record(pg_store, event("r", version=1, outcome="missed"))
    outcomes = _race(
        pg_store, [event("r", version=3), event("r", version=2, outcome="voicemail")], "contacts", "replace"
    )
    assert RecordOutcome.REPLACED in outcomes
    row = contact_row(pg_store, event("r"))
    assert (count(pg_store, Contact), row.version, row.outcome) == (1, 3, "answered")


@pytest.mark.postgresql
def test_two_new_contacts_of_one_new_citizen_racing_create_one_party(pg_store):
    # other agent and department: those rows would otherwise serialise the two writers before the barrier
    second = event("p2", agent="agent-2", departments=("Omgeving",))
    outcomes = _race(pg_store, [event("p1"), second], "parties", "create")
    assert outcomes == [RecordOutcome.CREATED, RecordOutcome.CREATED]
    assert count(pg_store, Party) == 1 and count(pg_store, PartyIdentifier) == 2
    assert party_of(pg_store, event("p1")) == party_of(pg_store, second)


def test_many_threads_applying_one_event_on_either_database_leave_one_contact(store):
    results: list[RecordOutcome] = []
    threads = [threading.Thread(target=lambda: results.append(record(store, event("t")))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == sorted([RecordOutcome.CREATED] + [RecordOutcome.DUPLICATE] * 5)
    assert count(store, Contact) == 1
