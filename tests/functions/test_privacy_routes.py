"""The privacy officer's routes: only app role Loket.Privacy (or the local key) reads the audit and
decides erasures; a request and its approval need two different people."""

from __future__ import annotations

import pytest

from handlers.crm import record_contact
from handlers.ports.store import IdentifierType
from schemas.auth import PRIVACY_ROLE
from tests.contract.store_backends import citizen, event
from tests.functions.conftest import built_functions
from tests.functions.ops_support import OPERATOR, STAFF, body, install_verifier, request, token

JAN = citizen("Jan Peeters", "jan.peeters@example.be", "+32475123456")
PRIVACY = (PRIVACY_ROLE,)


@pytest.fixture
def fns(services):
    install_verifier(services)
    record_contact(event("c1", who=JAN), services.uow(), services.now())
    return {name: f.get_user_function() for name, f in built_functions().items()}


def _pid(services) -> int:
    with services.uow() as uow:
        (pid,) = uow.parties.find(IdentifierType.EMAIL, JAN.email, 5)
    return pid


def _erasure(fns, pid: int, **auth):
    return fns["privacy_erasures"](
        request("POST", "privacy/erasures", body={"party_id": pid, "reason": "ticket 18"}, **auth)
    )


def _decide(fns, request_id: int, decision: str, **auth):
    return fns["privacy_erasure_decision"](
        request(
            "POST",
            f"privacy/erasures/{request_id}/{decision}",
            body={"reason": "identity checked"},
            route_params={"id": str(request_id), "decision": decision},
            **auth,
        )
    )


@pytest.mark.parametrize(
    "name, method, route",
    [
        ("privacy_audit", "GET", "privacy/audit"),
        ("privacy_audit_verify", "GET", "privacy/audit/verify"),
        ("privacy_erasures", "GET", "privacy/erasures"),
    ],
)
def test_privacy_routes_admit_the_privacy_role_and_the_local_key_only(fns, services, name, method, route):
    def status(**auth) -> int:
        return fns[name](request(method, route, **auth)).status_code

    assert status() == 401
    assert status(bearer=token(*STAFF)) == 403 and status(bearer=token(*OPERATOR)) == 403
    assert status(bearer=token(*PRIVACY, user="dpo@stad.example")) == 200
    assert status(key=services.api_key) == 200


def test_the_audit_route_shows_who_looked_at_the_party_through_which_route(fns, services):
    search = {"email": JAN.email, "reason": "citizen at the desk"}
    fns["search_contacts"](
        request("POST", "contacts/search", body=search, bearer=token(*STAFF, user="els@stad.example"))
    )
    pid = _pid(services)
    response = fns["privacy_audit"](
        request(
            "GET",
            "privacy/audit",
            params={"party": str(pid)},
            bearer=token(*PRIVACY, user="dpo@stad.example"),
        )
    )
    (entry,) = body(response)
    assert (entry["actor"], entry["route"], entry["reason"], entry["shown"]) == (
        "els@stad.example",
        "POST /api/contacts/search",
        "citizen at the desk",
        ["Burgerzaken"],
    )
    verified = fns["privacy_audit_verify"](request("GET", "privacy/audit/verify", key=services.api_key))
    assert (verified.status_code, body(verified)["ok"]) == (200, True)


def test_an_erasure_requested_by_one_officer_runs_only_when_another_approves(fns, services):
    pid = _pid(services)
    first, second = token(*PRIVACY, user="dpo@stad.example"), token(*PRIVACY, user="deputy.dpo@stad.example")
    created = _erasure(fns, pid, bearer=first)
    assert created.status_code == 201
    request_id = body(created)["id"]
    refused = _decide(fns, request_id, "approve", bearer=first)
    assert refused.status_code == 409 and "second person" in body(refused)["error"]
    with services.uow() as uow:
        assert uow.parties.get(pid) is not None
    approved = _decide(fns, request_id, "approve", bearer=second)
    assert (approved.status_code, body(approved)["status"]) == (200, "erased")
    with services.uow() as uow:
        assert uow.parties.get(pid) is None


def test_the_local_key_counts_as_one_person(fns, services):
    request_id = body(_erasure(fns, _pid(services), key=services.api_key))["id"]
    assert _decide(fns, request_id, "approve", key=services.api_key).status_code == 409
    assert (
        _decide(fns, request_id, "approve", bearer=token(*PRIVACY, user="dpo@stad.example")).status_code
        == 200
    )


def test_staff_cannot_request_an_erasure_and_a_bad_body_is_a_400(fns, services):
    assert _erasure(fns, _pid(services), bearer=token(*STAFF, *OPERATOR)).status_code == 403
    bad = fns["privacy_erasures"](
        request("POST", "privacy/erasures", body={"party_id": "x"}, key=services.api_key)
    )
    assert bad.status_code == 400
    assert _erasure(fns, 987654, key=services.api_key).status_code == 404


def _right(fns, pid, right: str, payload: dict, **auth):
    return fns["privacy_party_right"](
        request(
            "POST",
            f"privacy/parties/{pid}/{right}",
            body=payload,
            route_params={"id": str(pid), "right": right},
            **auth,
        )
    )


def test_the_privacy_role_rectifies_restricts_and_suppresses_over_http_and_staff_cannot(fns, services):
    pid, dpo = _pid(services), token(*PRIVACY, user="dpo@stad.example")
    fixed = _right(
        fns,
        pid,
        "rectify",
        {"reason": "not his number", "remove": [{"type": "phone", "value": "0475 12 34 56"}]},
        bearer=dpo,
    )
    assert (fixed.status_code, body(fixed)["removed"]) == (200, ["phone"])
    assert _right(fns, pid, "restrict", {"reason": "Art. 18"}, bearer=token(*STAFF)).status_code == 403
    assert body(_right(fns, pid, "restrict", {"reason": "Art. 18"}, bearer=dpo))["changed"] is True
    staff_search = {"email": JAN.email, "reason": "desk"}
    seen_by_staff = fns["search_contacts"](
        request("POST", "contacts/search", body=staff_search, bearer=token(*STAFF))
    )
    assert body(seen_by_staff)["parties"] == []
    seen_by_dpo = fns["search_contacts"](
        request("POST", "contacts/search", body=staff_search, bearer=token(*STAFF, *PRIVACY))
    )
    assert [p["party_id"] for p in body(seen_by_dpo)["parties"]] == [pid]
    assert body(_right(fns, pid, "suppress", {"reason": "Art. 21"}, bearer=dpo))["suppressed"] == 1


def test_a_right_on_an_unknown_party_or_a_wrong_body_is_refused(fns, services):
    dpo = token(*PRIVACY, user="dpo@stad.example")
    assert _right(fns, 98765, "restrict", {"reason": "r"}, bearer=dpo).status_code == 404
    assert _right(fns, _pid(services), "restrict", {"reason": ""}, bearer=dpo).status_code == 400
    assert _right(fns, _pid(services), "forget", {"reason": "r"}, bearer=dpo).status_code == 404
    wrong = _right(
        fns,
        _pid(services),
        "rectify",
        {"reason": "r", "remove": [{"type": "email", "value": "other@example.be"}]},
        bearer=dpo,
    )
    assert wrong.status_code == 409
