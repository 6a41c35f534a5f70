"""The store's `loket` commands end to end on a SQLite file: db upgrade, lookup, parties, export, erase."""
# ruff: noqa: F811 - pytest fixtures imported from tests.contract.store_backends

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from adapters.store.migrate import head_revision
from adapters.store.uow import SqlStore
from cli import db, gdpr, lookup, parties
from handlers.crm import record_contact
from tests.contract.store_backends import citizen, event

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    """Just the store's command families (cli.main registers the same modules the same way)."""
    root = typer.Typer(no_args_is_help=True)
    for module in (db, lookup, parties, gdpr):
        module.register(root)
    return root


@pytest.fixture
def url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'loket.db'}"
    monkeypatch.setenv("CRM_DATABASE_URL", url)
    return url


@pytest.fixture
def seeded(app, url) -> SqlStore:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    store = SqlStore.from_url(url)
    record_contact(event("a", who=citizen(name="Jan", email="jan@example.be", phone=None)), store.uow())
    record_contact(event("b", who=citizen(name="Els Dewaele", email=None, phone="+32475999999")), store.uow())
    record_contact(
        event("c", who=citizen(name="Jan", email="jan@example.be", phone="+32475999999")), store.uow()
    )
    yield store
    store.dispose()


def run(app, *args: str, stdin: str | None = None):
    return runner.invoke(app, list(args), input=stdin)


def test_db_upgrade_reports_the_schema_and_is_repeatable(app, url):
    first, second = run(app, "db", "upgrade", "--json"), run(app, "db", "upgrade", "--json")
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert json.loads(second.stdout) == {"backend": "sqlite", "revision": head_revision()}


def test_a_look_up_before_the_schema_exists_fails_with_exit_1_and_says_what_to_do(app, url):
    result = run(app, "lookup", "--phone", "0475999999", "--reason", "call")
    assert result.exit_code == 1
    assert "loket db upgrade" in result.stderr


def test_lookup_by_phone_prints_the_timeline_as_json_and_audits_the_user(app, seeded):
    result = run(
        app, "lookup", "--phone", "0475 99 99 99", "--reason", "citizen calls back", "--as", "els", "--json"
    )
    assert result.exit_code == 0, result.output
    (party,) = json.loads(result.stdout)["parties"]
    assert party["display_name"] == "Els Dewaele" and len(party["timeline"]) == 1
    with seeded.uow() as uow:
        entries = [
            (e.actor, e.reason, e.party_id) for e in uow.ledger.audit_entries() if e.action == "lookup"
        ]
    assert entries == [("els", "citizen calls back", party["party_id"])]


def test_lookup_by_name_prints_tables_for_people(app, seeded):
    result = run(app, "lookup", "--name", "dewaele", "--reason", "letter follow-up")
    assert result.exit_code == 0
    assert "Helped before" in result.stdout and "Burgerzaken" in result.stdout


def test_lookup_shows_times_in_the_policys_zone_and_names_it(app, seeded):
    result = run(app, "lookup", "--name", "dewaele", "--reason", "letter follow-up")
    assert "Europe/Brussels" in result.stdout
    assert "2026-11-02 10:00" in result.stdout and "09:00" not in result.stdout  # T0 is 09:00 UTC (CET)


def test_lookup_of_namesakes_lists_them_masked_and_party_opens_one_in_full(app, seeded):
    record_contact(event("d", who=citizen(name="Jan", email="jan@telenet.be", phone=None)), seeded.uow())
    listed = run(app, "lookup", "--name", "jan", "--reason", "desk", "--json")
    parties = json.loads(listed.stdout)["parties"]
    assert len(parties) == 2 and not any(p["opened"] for p in parties)
    assert "jan@example.be" not in listed.stdout and "j•••@example.be" in listed.stdout
    table = run(app, "lookup", "--name", "jan", "--reason", "desk")
    assert "--party" in table.stdout
    first = next(p for p in parties if p["identifiers"][0]["value"] == "j•••@example.be")
    opened = run(app, "lookup", "--party", str(first["party_id"]), "--reason", "desk", "--json")
    assert opened.exit_code == 0 and "jan@example.be" in opened.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["lookup", "--phone", "0475999999"],  # no reason
        ["lookup", "--phone", "0475999999", "--reason", "  "],
        ["lookup", "--phone", "0475999999", "--name", "jan", "--reason", "r"],
        ["lookup", "--name", "j", "--reason", "r"],
    ],
)
def test_lookup_usage_errors_exit_2_and_audit_nothing(app, seeded, args):
    assert run(app, *args).exit_code == 2
    with seeded.uow() as uow:
        assert uow.ledger.audit_entries() == []


def test_parties_review_lists_the_flagged_pair_and_merge_resolves_it(app, seeded):
    pairs = json.loads(run(app, "parties", "review", "--json").stdout)
    assert [(p["reason"], p["status"]) for p in pairs] == [("email vs phone", "open")]
    keep, other = pairs[0]["party_a"], pairs[0]["party_b"]
    merged = run(app, "parties", "merge", str(keep), str(other), "--reason", "same person")
    assert merged.exit_code == 0
    assert json.loads(run(app, "parties", "review", "--json").stdout) == []
    assert run(app, "parties", "merge", str(keep), str(other), "--reason", "again").exit_code == 1


def test_parties_split_closes_the_pair_once(app, seeded):
    (pair,) = json.loads(run(app, "parties", "review", "--json").stdout)
    args = ["parties", "split", str(pair["party_a"]), str(pair["party_b"]), "--reason", "two people"]
    assert run(app, *args).exit_code == 0
    assert run(app, *args).exit_code == 1


def test_export_prints_everything_held_and_erase_removes_it_for_good(app, seeded, tmp_path):
    (party,) = json.loads(run(app, "lookup", "--name", "dewaele", "--reason", "r", "--json").stdout)[
        "parties"
    ]
    pid = str(party["party_id"])
    out = tmp_path / "export.json"
    assert run(app, "export", pid, "--out", str(out)).exit_code == 0
    assert [i["value"] for i in json.loads(out.read_text())["identifiers"]] == ["+32475999999"]
    requested = run(app, "erase", pid, "--json", "--as", "clerk@stad.example")
    assert requested.exit_code == 0 and json.loads(requested.stdout)["status"] == "pending"
    request_id = str(json.loads(requested.stdout)["id"])
    erased = run(app, "erase", "--approve", request_id, "--yes", "--json", "--as", "dpo@stad.example")
    assert erased.exit_code == 0 and json.loads(erased.stdout)["identifiers"] == 1
    again = run(app, "lookup", "--name", "dewaele", "--reason", "r", "--json")
    assert json.loads(again.stdout)["parties"] == []
    assert run(app, "export", pid).exit_code == 1


def test_erase_approval_asks_first_and_a_no_keeps_the_party(app, seeded):
    (party,) = json.loads(run(app, "lookup", "--name", "dewaele", "--reason", "r", "--json").stdout)[
        "parties"
    ]
    requested = run(app, "erase", str(party["party_id"]), "--json", "--as", "clerk@stad.example")
    request_id = str(json.loads(requested.stdout)["id"])
    assert run(app, "erase", "--approve", request_id, "--as", "dpo@stad.example", stdin="n\n").exit_code == 1
    with seeded.uow() as uow:
        assert uow.parties.get(party["party_id"]) is not None
        assert not [e for e in uow.ledger.audit_entries() if e.action == "erase"]


def test_the_installed_loket_command_upgrades_the_store(tmp_path):
    exe = Path(sys.executable).parent / "loket"
    if not exe.exists():
        pytest.skip("the loket console script is not installed in this environment (make test installs it)")
    env = {**os.environ, "CRM_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    done = subprocess.run(  # noqa: S603 - our own console script
        [str(exe), "db", "upgrade", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["revision"] == head_revision()


def test_export_out_reports_the_path_it_wrote_and_fails_cleanly_when_it_cannot(app, seeded, tmp_path):
    target = tmp_path / "export.json"
    done = run(app, "export", "1", "--out", str(target))
    assert done.exit_code == 0 and f"wrote {target}" in done.output
    assert json.loads(target.read_text(encoding="utf-8"))
    refused = run(app, "export", "1", "--out", str(tmp_path / "no-such-dir" / "x.json"))
    assert refused.exit_code == 1
    assert "cannot write the export to" in refused.output and "Traceback" not in refused.output


def test_parties_review_side_by_side_shows_both_names_identifiers_and_recent_contacts(app, seeded,
                                                                                     monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")  # a terminal's width (under pytest rich would see almost none)
    done = run(app, "parties", "review", "--side-by-side", "--reason", "conflict at the desk")
    assert done.exit_code == 0, done.output
    assert "Els Dewaele" in done.output and "Jan" in done.output
    assert "jan@example.be" in done.output and "+32475999999" in done.output
    assert "recent" in done.output and "2026-11-02 phone Burgerzaken" in done.output
    with seeded.uow() as uow:
        looks = [e.reason for e in uow.ledger.audit_entries() if e.action == "timeline"]
    assert looks == ["conflict at the desk"] * 2  # looking at both in full is audited
