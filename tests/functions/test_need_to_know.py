"""Need-to-know holds for parties, not just contacts (issue 15).

A staff token without the Sociale dienst group cannot learn, by any route or search, that a
Sociale dienst-only citizen exists: the answers are byte for byte those for nobody at all. With the
group, and with the local key, the citizen is there. The attempts are audited either way.
"""
from __future__ import annotations

import json

import pytest

from handlers.crm import record_contact
from handlers.ports.store import IdentifierType
from handlers.review import review_pairs
from schemas.capture_policy import StoredText
from tests.contract.store_backends import citizen, event
from tests.functions.conftest import built_functions
from tests.functions.ops_support import SOCIAL_GROUP, STAFF, body, install_verifier, poison, request, token

CLIENT = citizen("Mira Janssens", "mira.janssens@example.be", "+32478654321")
NOBODY = citizen("Mira Jansens", "mira.jansens@example.be", "+32478000000")  # near, but stored nowhere
OUTSIDER = token(*STAFF, user="els@stad.example")
MEMBER = token(*STAFF, groups=(SOCIAL_GROUP,), user="sara@stad.example")


@pytest.fixture
def fns(services):
    install_verifier(services)
    record_contact(event("sd1", who=CLIENT, departments=("Sociale dienst",)), services.uow(), services.now())
    record_contact(event("sd2", who=CLIENT, departments=("Sociale dienst",), channel="phone"),
                   services.uow(), services.now())
    return {name: f.get_user_function() for name, f in built_functions().items()}


def client_id(services) -> int:
    with services.uow() as uow:
        (pid,) = uow.parties.find(IdentifierType.EMAIL, CLIENT.email, 5)
    return pid


def search(fns, query: dict, **auth):
    response = fns["search_contacts"](
        request("POST", "contacts/search", body={**query, "reason": "citizen at the desk"}, **auth))
    return response.status_code, response.get_body()


def timeline(fns, party_id: int, **auth):
    response = fns["party_timeline"](request("GET", "x", route_params={"id": str(party_id)},
                                             headers={"x-loket-reason": "desk"}, **auth))
    return response.status_code, response.get_body()


QUERIES = {
    "email": ({"email": CLIENT.email}, {"email": NOBODY.email}),
    "phone": ({"phone": "0478 65 43 21"}, {"phone": "0478 00 00 00"}),
    "name": ({"name": "Mira Janssens"}, {"name": "Zoë Nobody"}),
    "partial name": ({"name": "janss"}, {"name": "zzzzz"}),
}


@pytest.mark.parametrize("kind", sorted(QUERIES))
def test_a_search_without_the_group_answers_exactly_as_for_nobody(fns, kind):
    client_query, nobody_query = QUERIES[kind]
    assert search(fns, client_query, bearer=OUTSIDER) == search(fns, nobody_query, bearer=OUTSIDER)
    status, raw = search(fns, client_query, bearer=OUTSIDER)
    assert status == 200 and json.loads(raw)["parties"] == []
    assert b"mira" not in raw.lower() and b"478" not in raw


@pytest.mark.parametrize("auth", ["member", "local key"])
def test_with_the_group_or_the_local_key_the_client_and_its_timeline_are_found(fns, services, auth):
    given = {"bearer": MEMBER} if auth == "member" else {"key": services.api_key}
    status, raw = search(fns, {"email": CLIENT.email}, **given)
    (party,) = json.loads(raw)["parties"]
    assert status == 200 and party["display_name"] == "Mira Janssens"
    assert {i["value"] for i in party["identifiers"]} >= {CLIENT.email, CLIENT.phone}
    assert len(party["timeline"]) == 2
    assert timeline(fns, client_id(services), **given)[0] == 200


def test_the_timeline_route_without_the_group_answers_as_for_an_id_nobody_has(fns, services):
    pid = client_id(services)
    hidden = timeline(fns, pid, bearer=OUTSIDER)
    assert hidden == timeline(fns, pid + 1000, bearer=OUTSIDER)
    assert hidden[0] == 404 and b"Mira" not in hidden[1]


def test_a_client_with_one_open_contact_is_found_with_that_contact_only(fns, services):
    record_contact(event("open1", who=CLIENT, departments=("Burgerzaken",)), services.uow(), services.now())
    status, raw = search(fns, {"email": CLIENT.email}, bearer=OUTSIDER)
    (party,) = json.loads(raw)["parties"]
    assert [e["departments"] for e in party["timeline"]] == [["Burgerzaken"]]


def test_every_hidden_attempt_is_still_audited_for_the_privacy_officer(fns, services):
    pid = client_id(services)
    search(fns, {"email": CLIENT.email}, bearer=OUTSIDER)
    timeline(fns, pid, bearer=OUTSIDER)
    with services.uow() as uow:
        mine = [(a.action, a.party_id, a.detail) for a in uow.ledger.audit_entries()
                if a.actor == "els@stad.example"]
    assert [(action, party) for action, party, _ in mine] == [("lookup", pid), ("timeline", pid)]
    assert all("restricted" in detail for _, _, detail in mine)


def test_parties_review_shows_a_restricted_client_by_id_and_reason_only(fns, services):
    marc = citizen("Marc Peeters", "marc.peeters@example.be", "+32470111222")
    record_contact(event("open2", who=marc, departments=("Burgerzaken",)), services.uow(), services.now())
    both = citizen("Mira Janssens", CLIENT.email, marc.phone)  # their identifiers meet on one contact
    record_contact(event("sd4", who=both, departments=("Sociale dienst",)), services.uow(), services.now())
    member_sees = review_pairs(services.uow(), actor="op")
    outsider_sees = review_pairs(services.uow(), actor="op",
                                 can_see=lambda deps: "Sociale dienst" not in deps)
    (full,), (pair,) = member_sees, outsider_sees
    assert {full.name_a, full.name_b} == {"Mira Janssens", "Marc Peeters"} and not full.restricted
    assert pair.restricted and {pair.name_a, pair.name_b} == {None, "Marc Peeters"}
    assert (pair.party_a, pair.party_b, pair.reason) == (full.party_a, full.party_b, full.reason)


def test_dead_letter_listings_and_a_dry_run_never_show_a_restricted_contact_s_content(fns, services):
    restricted = event("sd3", who=CLIENT, departments=("Sociale dienst",))
    poison(services, entity="contact-events/crm", payload=restricted.model_dump_json().encode())
    listing = fns["ops_dead_letters"](request("GET", "ops/dead-letters", key=services.api_key))
    replay = fns["ops_replay"](request("POST", "ops/replay", key=services.api_key, body={
        "kind": "dlq", "entity": "contact-events/crm", "dry_run": True}))
    assert listing.status_code == 200 and body(listing)
    for raw in (listing.get_body(), replay.get_body()):
        assert b"Mira" not in raw and b"mira" not in raw and b"478" not in raw


def test_a_restricted_department_joining_a_contact_later_takes_its_preview_away(services):
    """The same mail in the open Onthaal mailbox and, later, the Sociale dienst one (subject only);
    then the open copy replayed: the strictest rule of all its departments stays."""
    open_copy = event("mail-both", who=CLIENT, channel="mail", departments=("Onthaal",)).model_copy(
        update={"subject": "Huurachterstand", "summary": "Ik kan de huur niet betalen"})
    restricted_copy = open_copy.model_copy(update={"departments": ("Sociale dienst",), "summary": None})
    rule = services.policy.stored_text_for
    assert rule(["Onthaal", "Sociale dienst"]) is StoredText.SUBJECT
    for copy in (open_copy, restricted_copy, open_copy):
        record_contact(copy, services.uow(), services.now(), text_rule=rule)
    pid = client_id(services)
    with services.uow() as uow:
        stored = [e for e in uow.contacts.timelines([pid])[pid] if e.event_id == open_copy.event_id]
    assert [(e.subject, e.summary, e.departments) for e in stored] == [
        ("Huurachterstand", None, ("Onthaal", "Sociale dienst"))]
