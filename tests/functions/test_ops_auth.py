"""Each role on each route: staff look up, operators operate, the page shell and health are anonymous,
and a restricted department's contacts reach only its own staff group."""

from __future__ import annotations

import pytest

from handlers.crm import record_contact
from handlers.ports.store import IdentifierType
from tests.contract.store_backends import citizen, event
from tests.functions.conftest import built_functions
from tests.functions.ops_support import (
    OPERATOR,
    SOCIAL_GROUP,
    STAFF,
    body,
    install_verifier,
    other_key,
    request,
    token,
)

JAN = citizen("Jan Peeters", "jan.peeters@example.be", "+32475123456")
SEARCH = {"email": JAN.email, "reason": "citizen at the desk"}
# function name -> (method, route, body, route params, headers)
ROUTES = {
    "search_contacts": ("POST", "contacts/search", SEARCH, {}, {}),
    "party_timeline": ("GET", "parties/1/timeline", None, {"id": "1"}, {"x-loket-reason": "desk"}),
    "ops_queues": ("GET", "ops/queues", None, {}, {}),
    "ops_dead_letters": ("GET", "ops/dead-letters", None, {}, {}),
    "ops_replay": (
        "POST",
        "ops/replay",
        {"kind": "dlq", "entity": "contact-events/crm", "dry_run": True},
        {},
        {},
    ),
    "ops_job": ("GET", "ops/jobs/abc", None, {"id": "abc"}, {}),
}
STAFF_ROUTES = {"search_contacts", "party_timeline"}


@pytest.fixture
def fns(services):
    install_verifier(services)
    record_contact(event("c1", who=JAN), services.uow(), services.now())
    return {name: f.get_user_function() for name, f in built_functions().items()}


def call(fns, name: str, **auth):
    method, route, payload, params, headers = ROUTES[name]
    return fns[name](request(method, route, body=payload, route_params=params, headers=headers, **auth))


def ok(status: int) -> bool:
    return status in (200, 202, 404)  # 404: the job id of ROUTES does not exist, but access was granted


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_each_route_admits_its_own_role_only(fns, name):
    staff, operator = token(*STAFF), token(*OPERATOR)
    assert call(fns, name).status_code == 401
    assert call(fns, name, bearer=token(*STAFF, *OPERATOR, audience="api://other")).status_code == 401
    assert call(fns, name, bearer=token(*STAFF, *OPERATOR, key=other_key())).status_code == 401
    assert call(fns, name, bearer=token()).status_code == 403
    staff_status = call(fns, name, bearer=staff).status_code
    operator_status = call(fns, name, bearer=operator).status_code
    if name in STAFF_ROUTES:
        assert ok(staff_status) and operator_status == 403
    else:
        assert ok(operator_status) and staff_status == 403


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_the_local_key_stands_in_for_both_roles(fns, services, name):
    assert ok(call(fns, name, key=services.api_key).status_code)
    assert call(fns, name, key="wrong-key").status_code == 401


def test_the_page_shell_and_health_need_no_sign_in(fns):
    assert fns["ui"](request("GET", "ui", route_params={})).status_code == 200
    assert fns["health"](request("GET", "health")).status_code == 200


def test_a_look_up_is_audited_under_the_token_s_user(fns, services):
    response = fns["search_contacts"](
        request("POST", "contacts/search", body=SEARCH, bearer=token(*STAFF, user="els@stad.example"))
    )
    assert response.status_code == 200
    with services.uow() as uow:
        assert ("els@stad.example", "lookup") in {(a.actor, a.action) for a in uow.ledger.audit_entries()}


def test_contacts_of_a_restricted_department_reach_only_its_own_staff_group(fns, services):
    record_contact(event("c2", who=JAN, departments=("Sociale dienst",)), services.uow(), services.now())

    def timeline_departments(bearer: str) -> list:
        response = fns["search_contacts"](request("POST", "contacts/search", body=SEARCH, bearer=bearer))
        (party,) = body(response)["parties"]
        return sorted(d for e in party["timeline"] for d in e["departments"])

    assert timeline_departments(token(*STAFF)) == ["Burgerzaken"]
    assert timeline_departments(token(*STAFF, groups=(SOCIAL_GROUP,))) == ["Burgerzaken", "Sociale dienst"]
    with services.uow() as uow:
        (pid,) = uow.parties.find(IdentifierType.EMAIL, JAN.email, 5)
    view = fns["party_timeline"](
        request(
            "GET",
            "x",
            bearer=token(*STAFF),
            route_params={"id": str(pid)},
            headers={"x-loket-reason": "desk"},
        )
    )
    assert [e["departments"] for e in body(view)["timeline"]] == [["Burgerzaken"]]
    assert [h["department"] for h in body(view)["helped_before"]] == ["Burgerzaken"]


def test_without_a_configured_client_id_bearer_tokens_are_not_accepted(services):
    services.__dict__["token_verifier"] = None
    fns = {name: f.get_user_function() for name, f in built_functions().items()}
    assert call(fns, "ops_queues", bearer=token(*OPERATOR)).status_code == 401
