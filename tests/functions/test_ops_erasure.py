"""Erasure reaches everywhere: the store, the archive and the dead-letter queues; retention likewise."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.crm import record_contact
from handlers.ports.store import IdentifierType
from handlers.publishing import contact_event_message
from schemas.contact_event import ContactEvent
from tests.contract.store_backends import T0, citizen, event
from tests.functions.conftest import built_functions
from tests.functions.ops_support import poison

JAN = citizen("Jan Peeters", "jan.peeters@example.be", "+32475123456")
AN = citizen("An Claes", "an.claes@example.be", "+32476000001")


def dead_letter(services, ev, entity: str) -> None:
    message = contact_event_message(ev)
    poison(
        services,
        entity,
        reason="MaxAttemptsExceeded",
        message_id=f"{message.message_id}-{entity[-3:]}",
        payload=message.body_bytes(),
    )


def party_of(services, who) -> int:
    with services.uow() as uow:
        (pid,) = uow.parties.find(IdentifierType.EMAIL, who.email, 5)
    return pid


def test_erasing_a_party_removes_its_archived_events_and_dead_letters_but_nobody_else_s(services):
    mine, theirs = event("c1", who=JAN), event("c2", who=AN)
    never_stored = event("c3", who=citizen("Jan Peeters", "jan.peeters@example.be", None))
    for ev in (mine, theirs):
        record_contact(ev, services.uow(), services.now())
        services.archive.put(ev)
    dead_letter(services, mine, "contact-events/archive")
    dead_letter(services, never_stored, "contact-events/crm")  # shares Jan's e-mail: his data too
    dead_letter(services, theirs, "contact-events/crm")
    poison(services, "mail-notifications", message_id="n-1")  # a notification: no citizen data

    report, purge = services.erase_everywhere(party_of(services, JAN), actor="tester", reason="GDPR request")

    assert (report.contacts, purge.archived, purge.dead_letters) == (1, 1, 2)
    assert [e.event_id for e in services.archive.events()] == [theirs.event_id]
    assert services.bus.peek("contact-events/archive", dead_letter=True) == []
    (left,) = services.bus.peek("contact-events/crm", dead_letter=True)
    assert ContactEvent.from_json(left.body).event_id == theirs.event_id
    assert len(services.bus.receive("contact-events/crm", dead_letter=True)) == 1  # released, not held
    assert len(services.bus.peek("mail-notifications", dead_letter=True)) == 1


def test_retention_removes_expired_archived_events_and_dead_letters_too(services):
    now = services.now()
    old = event("old", who=JAN, at=now - dt.timedelta(days=400))  # phone: 365 days in the sample policy
    recent = event("new", who=JAN, at=now - dt.timedelta(days=10))
    for ev in (old, recent):
        services.archive.put(ev)
    dead_letter(services, old, "contact-events/crm")
    dead_letter(services, recent, "contact-events/crm")

    built_functions()["enforce_retention"].get_user_function()(None)

    assert [e.event_id for e in services.archive.events()] == [recent.event_id]
    (left,) = services.bus.peek("contact-events/crm", dead_letter=True)
    assert ContactEvent.from_json(left.body).event_id == recent.event_id


def test_an_archived_object_of_an_erased_event_is_gone_for_every_version(services):
    for version in (1, 2):
        services.archive.put(event("c1", who=JAN, version=version, at=T0))
    record_contact(event("c1", who=JAN, version=2, at=T0), services.uow(), services.now())
    services.erase_everywhere(party_of(services, JAN), actor="tester", reason="GDPR request")
    assert services.archive.events() == []


def test_an_unknown_party_is_refused_before_anything_is_removed(services):
    from handlers.gdpr import UnknownParty

    services.archive.put(event("c1", who=JAN))
    with pytest.raises(UnknownParty):
        services.erase_everywhere(999, actor="tester", reason="GDPR request")
    assert len(services.archive.events()) == 1
