"""Names as people type them, on SQLite and PostgreSQL: surname first, particles apart or together,
accents and case find the same person, best match first; several parties come back as a result list
that tells namesakes apart without showing their identifiers in full."""
# ruff: noqa: F811 - pytest fixtures imported from tests.contract.store_backends

from __future__ import annotations

import datetime as dt

import pytest

from handlers.crm import record_contact
from handlers.lookup import lookup, party_timeline
from schemas.contact_event import Address
from tests.contract.store_backends import T0, citizen, event, postgres_url, sqlite_template, store  # noqa: F401 - fixtures

WHO = "tester"

# (the name as captured, what a colleague at the desk types)
FLEMISH_VARIANTS = [
    ("Nele Vandenbroeck", "Van den Broeck Nele"),
    ("Nele Vandenbroeck", "vandenbroeck nele"),
    ("Nele Van den Broeck", "Nele Vandenbroeck"),
    ("Nele Van den Broeck", "VANDEN BROECK"),
    ("Pieter De Smedt", "desmedt pieter"),
    ("Pieter Desmedt", "De Smedt"),
    ("Jan D'Hondt", "Dhondt Jan"),
    ("Jan Dhondt", "d'hondt"),
    ("Koen Ver Eecke", "Vereecke"),
    ("Sofie Van de Velde", "Vandevelde Sofie"),
    ("Els Vanderstraeten", "van der straeten els"),
    ("Geert In 't Veld", "Intveld"),
    ("Hélène Goossens", "helene goossens"),
    ("Zoë Maes", "Maes Zoe"),
    ("Anne-Marie Peeters", "Peeters Anne Marie"),
    ("Désirée Van den Broeck", "rée Van"),
]


def record(store, ev) -> None:
    record_contact(ev, store.uow(), T0 + dt.timedelta(hours=1))


@pytest.mark.parametrize(("captured", "typed"), FLEMISH_VARIANTS)
def test_a_name_typed_as_people_type_it_finds_the_person(store, captured, typed):
    record(store, event("a", who=citizen(name=captured, email="a@example.be", phone=None)))
    record(store, event("b", who=citizen(name="Jan Peeters", email="jan@example.be", phone=None)))
    found = lookup(store.uow(), actor=WHO, reason="desk", name=typed)
    assert [p.display_name for p in found.parties] == [captured]


def test_the_closest_name_comes_first_whatever_the_order_it_was_typed_in(store):
    names = ["Els Van den Broeck", "Nele Vandenbroeck", "Nele Vandenbroeck-Maes", "Nelle Van den Broecke"]
    for i, name in enumerate(names):
        record(store, event(f"p{i}", who=citizen(name=name, email=f"p{i}@example.be", phone=None)))
    found = lookup(store.uow(), actor=WHO, reason="desk", name="Van den Broeck Nele")
    assert [p.display_name for p in found.parties][:2] == ["Nele Vandenbroeck", "Nele Vandenbroeck-Maes"]
    assert "Els Van den Broeck" not in [p.display_name for p in found.parties]  # "nele" is not in her name


def test_namesakes_come_back_as_a_list_told_apart_by_masked_identifiers_count_and_last_contact(store):
    record(store, event("e1", who=citizen(name="Eva Stevens", email="eva.stevens@telenet.be",
                                          phone="+32475123456"), at=T0))
    record(store, event("e2", who=citizen(name="Eva Stevens", email="eva@skynet.be", phone="+32496765432",
                                          address=Address(street="Kerkstraat", number="12",
                                                          postal_code="3580", city="Beringen")), at=T0))
    record(store, event("e3", who=citizen(name="Eva Stevens", email="eva@skynet.be", phone=None),
                        at=T0 + dt.timedelta(days=1), channel="mail", departments=("Onthaal",),
                        outcome="received"))
    found = lookup(store.uow(), actor=WHO, reason="desk", name="eva stevens")
    assert len(found.parties) == 2 and not any(p.opened for p in found.parties)
    shown = {p.contacts: [i.value for i in p.identifiers] for p in found.parties}
    assert shown[1] == ["e•••@telenet.be", "+32 4•• •• 34 56"]
    assert shown[2] == ["e•••@skynet.be", "+32 4•• •• 54 32", "Kerkstraat •• 3580 Beringen"]
    two = next(p for p in found.parties if p.contacts == 2)
    assert two.last_contact is not None and two.last_contact.channel == "mail"
    assert two.timeline == () and two.helped_before == ()  # details only for the one opened
    opened = party_timeline(store.uow(), two.party_id, actor=WHO, reason="at the desk")
    assert opened is not None and opened.opened
    assert "eva@skynet.be" in [i.value for i in opened.identifiers]
    assert len(opened.timeline) == 2


def test_a_single_match_is_opened_in_full(store):
    record(store, event("a"))
    (party,) = lookup(store.uow(), actor=WHO, reason="desk", phone="0475 12 34 56").parties
    assert party.opened and "+32475123456" in [i.value for i in party.identifiers]
    assert party.contacts == 1 and len(party.timeline) == 1
