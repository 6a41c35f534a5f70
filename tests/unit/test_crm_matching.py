"""record_contact's pure parts: identifiers in strength order, tombstones, the lost-race path."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import pytest

from errors import DuplicateEvent
from handlers.crm import RecordOutcome, citizen_identifiers, record_contact, tombstone_key
from handlers.ports.store import Identifier, IdentifierType, StoredContact
from schemas.contact_event import Address, Citizen
from tests.contract.store_backends import event

ADDRESS = Address(street="Kerkstraat", number="12 bus 3", postal_code="3580", city="Beringen")


def test_identifiers_come_strongest_first_in_canonical_form():
    found = citizen_identifiers(
        Citizen(display_name="Jan", email="jan@example.be", phone="+3211432211", address=ADDRESS)
    )
    assert [i.type for i in found] == [IdentifierType.EMAIL, IdentifierType.PHONE, IdentifierType.ADDRESS]
    assert found[2].label == "Kerkstraat 12 bus 3 3580 Beringen"


def test_an_address_without_a_name_is_no_identifier_and_anonymous_has_none():
    assert citizen_identifiers(Citizen(address=ADDRESS)) == []
    assert citizen_identifiers(None) == []


def test_the_same_address_and_name_written_differently_give_one_identifier():
    a = citizen_identifiers(Citizen(display_name="Jan Peeters", address=ADDRESS))
    b = citizen_identifiers(
        Citizen(
            display_name="JAN  PEETERS",
            address=Address(street="KERKSTRAAT", number="12/3", postal_code="B-3580", city="beringen"),
        )
    )
    assert a == b


def test_identifier_equality_ignores_the_label():
    assert Identifier(IdentifierType.ADDRESS, "k", "one") == Identifier(IdentifierType.ADDRESS, "k", "other")


def test_a_tombstone_is_a_hash_that_does_not_contain_the_event_id():
    event_id = UUID("8e73040b-6a5e-5701-a68f-e694b26d5bc5")
    key = tombstone_key(event_id)
    assert len(key) == 64 and str(event_id) not in key and key == tombstone_key(event_id)


class _LostRaceContacts:
    """The other writer commits between our read and our insert: insert raises, the re-read finds it."""

    def __init__(self, stored: StoredContact) -> None:
        self.stored, self.reads = stored, 0

    def get(self, event_id):
        self.reads += 1
        return None if self.reads == 1 else self.stored

    def insert(self, event, now):
        raise DuplicateEvent("taken")


class _Uow:
    def __init__(self, contacts) -> None:
        self.contacts, self.committed = contacts, False
        self.ledger = type("Ledger", (), {"is_erased": staticmethod(lambda h: False)})()
        self.privacy = type("Privacy", (), {"suppressed": staticmethod(lambda keys: set())})()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def commit(self):
        self.committed = True


@pytest.mark.parametrize(
    ("stored_version", "expected"), [(1, RecordOutcome.DUPLICATE), (2, RecordOutcome.IGNORED_OLDER)]
)
def test_a_writer_that_loses_the_insert_race_applies_the_version_rules_to_the_winner(
    stored_version, expected
):
    ev = event("race")
    uow = _Uow(
        _LostRaceContacts(StoredContact(ev.event_id, stored_version, None, frozenset({"Burgerzaken"}), ()))
    )
    assert record_contact(ev, uow, now=dt.datetime(2026, 11, 28, tzinfo=dt.UTC)) is expected
    assert uow.committed and uow.contacts.reads == 2
