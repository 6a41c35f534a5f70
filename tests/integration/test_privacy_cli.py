"""`loket audit`, `loket audit verify` and `loket erase` on four eyes, end to end on a SQLite file."""

from __future__ import annotations

import json

import pytest
import typer
from sqlalchemy import update
from typer.testing import CliRunner

from adapters.store.tables_ops import AuditEntry
from adapters.store.uow import SqlStore
from cli import audit, db, gdpr, lookup, privacy
from handlers.crm import record_contact
from tests.contract.store_backends import citizen, event

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    root = typer.Typer(no_args_is_help=True)
    for module in (db, lookup, gdpr, audit, privacy):
        module.register(root)
    return root


@pytest.fixture
def store(app, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    built = SqlStore.from_url(url)
    record_contact(event("a", who=citizen(name="Els Dewaele", email=None, phone="+32475999999")), built.uow())
    yield built
    built.dispose()


def run(app, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def _pid(app) -> int:
    found = run(app, "lookup", "--phone", "0475 99 99 99", "--reason", "terugbellen", "--as", "els", "--json")
    return json.loads(found.stdout)["parties"][0]["party_id"]


def test_audit_by_party_shows_who_looked_why_and_through_which_route(app, store):
    pid = _pid(app)
    shown = run(app, "audit", "--party", str(pid), "--json", "--as", "dpo")
    assert shown.exit_code == 0
    (entry,) = json.loads(shown.stdout)
    assert (entry["actor"], entry["action"], entry["reason"], entry["route"], entry["shown"]) == (
        "els",
        "lookup",
        "terugbellen",
        "cli",
        ["Burgerzaken"],
    )
    assert [e["action"] for e in json.loads(run(app, "audit", "--actor", "dpo", "--json").stdout)] == [
        "audit_read"
    ]


def test_audit_verify_passes_on_an_intact_chain_and_fails_with_exit_1_on_an_edited_one(app, store):
    _pid(app)
    intact = run(app, "audit", "verify")
    assert intact.exit_code == 0 and "intact" in intact.stdout
    with store.engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.seq == 1).values(reason="routine"))
    broken = run(app, "audit", "verify", "--json")
    assert broken.exit_code == 1
    assert json.loads(broken.stdout)["problems"] == [
        {"seq": 1, "problem": "its content does not match its hash: edited"}
    ]


def test_an_erasure_approved_by_the_person_who_asked_does_not_run(app, store):
    pid = _pid(app)
    request_id = json.loads(run(app, "erase", str(pid), "--json", "--as", "clerk").stdout)["id"]
    same = run(app, "erase", "--approve", str(request_id), "--yes", "--as", "clerk")
    assert same.exit_code == 1 and "second person" in same.stderr
    with store.uow() as uow:
        assert uow.parties.get(pid) is not None
    listed = json.loads(run(app, "erase", "--list", "--json").stdout)
    assert [(r["id"], r["status"]) for r in listed] == [(request_id, "pending")]


def test_single_person_erasure_runs_at_once_when_the_local_setting_allows_it(app, store, monkeypatch):
    monkeypatch.setenv("ERASURE_SINGLE_PERSON", "true")
    pid = _pid(app)
    erased = run(app, "erase", str(pid), "--yes", "--json", "--as", "clerk")
    assert erased.exit_code == 0 and json.loads(erased.stdout)["request"]["status"] == "erased"
    with store.uow() as uow:
        assert uow.parties.get(pid) is None


def test_erase_without_a_party_or_a_request_is_a_usage_error(app, store):
    assert run(app, "erase").exit_code == 2


def test_privacy_rectify_takes_a_wrong_number_off_and_lookups_no_longer_find_it(app, store):
    pid = _pid(app)
    done = run(
        app,
        "privacy",
        "rectify",
        str(pid),
        "--remove-phone",
        "0475/99.99.99",
        "--name",
        "Els De Waele",
        "--reason",
        "not her number",
        "--json",
    )
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout) == {
        "party_id": pid,
        "removed": ["phone"],
        "added": [],
        "name": "corrected",
    }
    found = run(app, "lookup", "--phone", "0475999999", "--reason", "r", "--json")
    assert json.loads(found.stdout)["parties"] == []
    wrong = run(app, "privacy", "rectify", str(pid), "--remove-email", "x@y.be", "--reason", "r")
    assert wrong.exit_code == 1 and "holds no such email" in wrong.stderr


def test_privacy_restrict_hides_the_citizen_from_look_ups_until_lifted(app, store):
    pid = _pid(app)
    assert run(app, "privacy", "restrict", str(pid), "--reason", "Art. 18").exit_code == 0
    hidden = run(app, "lookup", "--phone", "0475999999", "--reason", "r", "--json")
    assert json.loads(hidden.stdout)["parties"] == []
    assert "lifted" in run(app, "privacy", "restrict", str(pid), "--lift", "--reason", "done").stdout
    shown = run(app, "lookup", "--phone", "0475999999", "--reason", "r", "--json")
    assert [p["party_id"] for p in json.loads(shown.stdout)["parties"]] == [pid]


def test_privacy_suppress_reports_the_identifiers_and_an_unknown_party_fails(app, store):
    pid = _pid(app)
    done = run(app, "privacy", "suppress", str(pid), "--reason", "Art. 21")
    assert done.exit_code == 0 and "1 identifiers suppressed" in done.stdout
    assert run(app, "privacy", "suppress", "98765", "--reason", "r").exit_code == 1
