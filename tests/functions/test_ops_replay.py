"""Dead-letter replay through POST /api/ops/replay and `loket replay dlq`: new ids, audited, captured once."""

from __future__ import annotations

import json
import time

import pytest
import typer
from typer.testing import CliRunner

from cli import replay as replay_cli
from handlers.crm import record_contact
from handlers.publishing import contact_event_message
from schemas.contact_event import ContactEvent
from tests.contract.store_backends import event
from tests.functions.conftest import built_functions
from tests.functions.ops_support import OPERATOR, STAFF, body, install_verifier, poison, request, token

CRM = "contact-events/crm"


@pytest.fixture
def fns(services):
    install_verifier(services)
    built = built_functions()
    return {name: built[name].get_user_function() for name in ("ops_replay", "ops_job", "ops_dead_letters")}


def wait_for(services, job_id: str) -> dict:
    for _ in range(200):
        job = services.jobs.get(job_id)
        if job and job.status in ("done", "failed"):
            return job.model_dump(mode="json")
        time.sleep(0.05)
    raise AssertionError("the job never finished")


def poisoned_contact(services, key: str = "call-9", reason: str = "MaxAttemptsExceeded") -> ContactEvent:
    """A contact event the crm consumer gave up on (store down too long), dead-lettered by the broker."""
    ev = event(key)
    message = contact_event_message(ev)
    poison(services, CRM, reason=reason, message_id=message.message_id, payload=message.body_bytes())
    return ev


def start(fns, services, **fields) -> dict:
    response = fns["ops_replay"](request("POST", "ops/replay", key=services.api_key, body=fields))
    assert response.status_code == 202, response.get_body()
    return body(response)


def audit(services) -> list:
    with services.uow() as uow:
        return [(a.actor, a.action, a.detail) for a in uow.ledger.audit_entries() if a.action == "replay"]


def test_a_replayed_dead_letter_reaches_crm_only_under_a_new_id_and_is_captured_once(services, fns):
    ev = poisoned_contact(services)
    letters = body(fns["ops_dead_letters"](request("GET", "ops/dead-letters", key=services.api_key)))
    assert [(d["entity"], d["reason"], d["broker_reason"]) for d in letters] == [
        (CRM, "MaxAttemptsExceeded", "MaxDeliveryCountExceeded")
    ]

    started = start(fns, services, kind="dlq", entity=CRM, reason="store is back")
    job = wait_for(services, started["job_id"])
    assert (job["status"], job["total"], job["done"], job["resubmitted"]) == ("done", 1, 1, 1)
    assert services.bus.peek(CRM, dead_letter=True) == []
    assert services.bus.peek("contact-events/archive") == []  # never re-archived
    (again,) = services.bus.receive(CRM)
    assert again.message_id != letters[0]["message_id"]
    assert "DeadLetterReason" not in again.application_properties
    record_contact(ContactEvent.from_json(again.body), services.uow(), services.now())
    services.bus.complete(again)
    with services.uow() as uow:
        assert uow.contacts.get(ev.event_id) is not None
    assert audit(services) == [
        ("local-api-key", "replay", f"job {job['id']}: dlq {CRM}: started"),
        ("local-api-key", "replay", f"job {job['id']}: dlq {CRM}: 1 resubmitted"),
    ]


def test_job_progress_is_served_to_operators_only(services, fns):
    poisoned_contact(services)
    job_id = start(fns, services, kind="dlq", entity=CRM)["job_id"]
    wait_for(services, job_id)
    get = fns["ops_job"]
    assert (
        body(get(request("GET", f"ops/jobs/{job_id}", key=services.api_key, route_params={"id": job_id})))[
            "status"
        ]
        == "done"
    )
    staff = request("GET", f"ops/jobs/{job_id}", bearer=token(*STAFF), route_params={"id": job_id})
    assert get(staff).status_code == 403
    operator = request("GET", f"ops/jobs/{job_id}", bearer=token(*OPERATOR), route_params={"id": job_id})
    assert get(operator).status_code == 200
    assert (
        get(request("GET", "ops/jobs/../x", key=services.api_key, route_params={"id": "../x"})).status_code
        == 404
    )


def test_the_reason_filter_picks_loket_s_reason_and_leaves_the_others_in_place(services, fns):
    poisoned_contact(services, "call-1", reason="MaxAttemptsExceeded")
    poisoned_contact(services, "call-2", reason="MalformedPayload")
    job = wait_for(
        services,
        start(fns, services, kind="dlq", entity=CRM, dead_letter_reason="MalformedPayload")["job_id"],
    )
    assert job["resubmitted"] == 1
    left = services.bus.peek(CRM, dead_letter=True)
    assert len(left) == 1 and left[0].lock_token is None
    assert len(services.bus.receive(CRM, dead_letter=True)) == 1  # released, not held locked


def test_a_dry_run_and_the_limit_change_what_is_replayed(services, fns):
    for i in range(3):
        poisoned_contact(services, f"call-{i}")
    dry = wait_for(services, start(fns, services, kind="dlq", entity=CRM, dry_run=True)["job_id"])
    assert (dry["resubmitted"], dry["summary"]["selected"]) == (0, 3)
    assert len(services.bus.peek(CRM, dead_letter=True)) == 3
    assert audit(services) == []
    limited = wait_for(services, start(fns, services, kind="dlq", entity=CRM, limit=2)["job_id"])
    assert limited["resubmitted"] == 2
    assert len(services.bus.peek(CRM, dead_letter=True)) == 1


def test_requests_that_cannot_run_are_refused_or_fail_visibly(services, fns):
    post = fns["ops_replay"]
    assert post(request("POST", "ops/replay", key=services.api_key, body={"kind": "dlq"})).status_code == 400
    topic = request(
        "POST", "ops/replay", key=services.api_key, body={"kind": "dlq", "entity": "contact-events"}
    )
    assert post(topic).status_code == 400
    assert post(request("POST", "ops/replay", key=services.api_key, body={"kind": "x"})).status_code == 400
    unknown = wait_for(services, start(fns, services, kind="dlq", entity="no-such-queue")["job_id"])
    assert unknown["status"] == "failed" and "no-such-queue" in unknown["error"]
    assert post(request("POST", "ops/replay", bearer=token(*STAFF), body={"entity": CRM})).status_code == 403


@pytest.fixture
def cli(services, monkeypatch):
    monkeypatch.setenv("LOKET_DATA_DIR", str(services.settings.data_dir))
    app = typer.Typer()
    replay_cli.register(app)
    app.command("noop", hidden=True)(lambda: None)
    return app


def test_the_command_replays_with_a_summary_and_the_job_is_the_same_record_the_api_serves(services, fns, cli):
    poisoned_contact(services)
    result = CliRunner().invoke(cli, ["replay", "dlq", CRM, "--as", "jan.operator", "--json"])
    assert result.exit_code == 0, result.output
    job = json.loads(result.stdout)
    assert (job["status"], job["resubmitted"], job["actor"]) == ("done", 1, "jan.operator")
    served = fns["ops_job"](request("GET", "x", key=services.api_key, route_params={"id": job["id"]}))
    assert body(served)["resubmitted"] == 1
    status = CliRunner().invoke(cli, ["replay", "status", job["id"]])
    assert status.exit_code == 0 and "replayed 1 of 1" in status.stdout
    assert audit(services)[0][0] == "jan.operator"


def test_the_command_exits_1_naming_the_problem_for_an_unknown_entity(services, cli):
    result = CliRunner().invoke(cli, ["replay", "dlq", "nope"])
    assert result.exit_code == 1
    assert "nope" in result.output


def test_without_an_audit_entry_nothing_is_replayed(services, tmp_path):
    from adapters.store.uow import SqlStore
    from handlers.replay_jobs import create_job, run_job
    from schemas.ops import ReplayRequest

    poisoned_contact(services)
    services.__dict__["store"] = SqlStore.from_url(
        f"sqlite:///{tmp_path / 'no-schema.db'}"
    )  # the store is broken
    deps = services.replay_deps()
    job = run_job(create_job(ReplayRequest(kind="dlq", entity=CRM), "tester", deps), deps)
    assert (job.status, job.error, job.resubmitted) == ("failed", "TransientError", 0)
    assert len(services.bus.peek(CRM, dead_letter=True)) == 1
