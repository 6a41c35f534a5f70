"""The restore drill: erase, rectify and suppress; restore an older copy of the SQLite store (which brings
the erased citizen back); `loket db restore-check` removes every contact erased since, and a replay of
an older copy of the archive brings none back."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

import bootstrap
from adapters.archive.local_archive import LocalArchive
from adapters.store.migrate import upgrade
from adapters.store.tables import Contact, Party, PartyIdentifier
from cli import db
from handlers.citizen_rights import identifier, rectify, restrict, suppress
from handlers.crm import RecordOutcome, record_contact
from handlers.gdpr import export_party
from handlers.ports.store import IdentifierType
from handlers.privacy import approve_erasure, request_erasure, verify_audit
from settings import Settings
from tests.contract.store_backends import citizen, event

JAN = citizen("Jan Peeters", "jan.peeters@example.be", "+32475123456")
AN = citizen("An Claes", "an.claes@example.be", "+32476000001")
PIET = citizen("Piet Smet", "piet.smet@example.be", None)
DPO, DEPUTY = "dpo@stad.example", "deputy@stad.example"


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    settings = Settings()
    upgrade(settings.database_url)
    services = bootstrap.build(settings)
    yield services
    services.close()


def _capture(services, ev) -> RecordOutcome:
    services.archive.put(ev)
    return record_contact(ev, services.uow(), services.now())


def _pid(services, who) -> int | None:
    with services.uow() as uow:
        found = uow.parties.find(IdentifierType.EMAIL, who.email, 5)
    return found[0] if found else None


def _count(services, model, *where) -> int:
    with services.store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _backup(services, to) -> None:
    """An online copy, as a backup tool takes it (SQLite's backup API)."""
    source = sqlite3.connect(services.settings.data_dir / "loket.db")
    target = sqlite3.connect(to)
    source.backup(target)
    source.close()
    target.close()


def _restore(services, backup) -> None:
    services.store.dispose()
    database = services.settings.data_dir / "loket.db"
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    shutil.copyfile(backup, database)


def test_after_restoring_an_older_store_restore_check_re_applies_every_right_and_replay_brings_none_back(
    env, tmp_path
):
    services = env
    jan_events = [event("j1", who=JAN), event("j2", who=JAN, channel="mail", duration=None)]
    for ev in [*jan_events, event("a1", who=AN), event("p1", who=PIET)]:
        assert _capture(services, ev) is RecordOutcome.CREATED
    backup, old_archive = tmp_path / "backup.db", tmp_path / "archive-copy"
    _backup(services, backup)
    shutil.copytree(services.settings.data_dir / "archive", old_archive)

    jan, an, piet = _pid(services, JAN), _pid(services, AN), _pid(services, PIET)
    request = request_erasure(services.uow(), jan, actor=DPO, reason="Art. 17 request", route="cli")
    approve_erasure(
        services.uow(),
        request.id,
        actor=DEPUTY,
        reason="identity checked",
        route="cli",
        erase=lambda pid, by, why: services.erase_everywhere(pid, actor=by, reason=why),
    )
    rectify(
        services.uow(),
        an,
        actor=DPO,
        reason="not her number",
        route="cli",
        remove=[identifier("phone", AN.phone)],
        log=services.privacy_log,
    )
    suppress(
        services.uow(), piet, actor=DPO, reason="Art. 21 objection", route="cli", log=services.privacy_log
    )
    assert _pid(services, JAN) is None
    assert services.verify_audit().ok  # …and the chain's head after the erasure is kept outside

    _restore(services, backup)  # the drill: yesterday's copy comes back…
    assert _pid(services, JAN) == jan and _count(services, Contact, Contact.party_id == jan) == 2  # …with Jan

    app = typer.Typer()
    db.register(app)
    checked = CliRunner().invoke(app, ["db", "restore-check", "--json", "--as", DPO])
    assert checked.exit_code == 0, checked.stderr
    report = json.loads(checked.stdout)
    assert (report["contacts_removed"], report["parties_removed"], report["identifiers_removed"]) == (2, 1, 1)

    assert _pid(services, JAN) is None and _count(services, Party, Party.id == jan) == 0
    assert _count(services, Contact, Contact.event_id.in_([str(e.event_id) for e in jan_events])) == 0
    assert _count(services, PartyIdentifier, PartyIdentifier.value == AN.phone) == 0
    with services.uow() as uow:
        assert uow.privacy.restricted([piet]) == {piet}

    replayed = [
        record_contact(ev, services.uow(), services.now()) for ev in LocalArchive(old_archive).events()
    ]
    assert replayed.count(RecordOutcome.REFUSED_ERASED) == 2  # Jan's two contacts stay erased
    assert RecordOutcome.CREATED not in replayed
    assert _pid(services, JAN) is None
    assert _count(services, PartyIdentifier, PartyIdentifier.value == AN.phone) == 0  # not re-attached
    assert record_contact(event("p2", who=PIET), services.uow()) is RecordOutcome.SUPPRESSED
    assert services.verify_audit().ok  # the restored chain, accepted by restore-check

    again = json.loads(CliRunner().invoke(app, ["db", "restore-check", "--json"]).stdout)
    assert (again["contacts_removed"], again["parties_removed"], again["identifiers_removed"]) == (0, 0, 0)


def test_restore_check_lifts_a_restriction_lifted_after_the_backup_and_keeps_one_set_before(env, tmp_path):
    services = env
    for ev in (event("a1", who=AN), event("p1", who=PIET)):
        _capture(services, ev)
    an, piet = _pid(services, AN), _pid(services, PIET)
    restrict(services.uow(), an, actor=DPO, reason="Art. 18", route="cli", log=services.privacy_log)
    backup = tmp_path / "backup.db"
    _backup(services, backup)
    restrict(
        services.uow(), an, actor=DPO, reason="resolved", route="cli", lift=True, log=services.privacy_log
    )
    restrict(services.uow(), piet, actor=DPO, reason="Art. 18", route="cli", log=services.privacy_log)
    _restore(services, backup)
    services.restore_check(DPO)
    with services.uow() as uow:
        assert uow.privacy.restricted([an, piet]) == {piet}


def test_the_privacy_log_holds_hashes_only_never_the_citizen_s_identifiers(env):
    services = env
    _capture(services, event("j1", who=JAN))
    jan = _pid(services, JAN)
    rectify(
        services.uow(),
        jan,
        actor=DPO,
        reason="r",
        route="cli",
        remove=[identifier("phone", JAN.phone)],
        name="Jan Peeters-Claes",
        log=services.privacy_log,
    )
    suppress(services.uow(), jan, actor=DPO, reason="r", route="cli", log=services.privacy_log)
    services.erase_everywhere(jan, actor=DPO, reason="r")
    text = (services.settings.data_dir / "archive" / "privacy-log" / "records.jsonl").read_text()
    assert [json.loads(line)["kind"] for line in text.splitlines()] == [
        "rectification",
        "suppression",
        "erasure",
    ]
    for value in ("Peeters", "jan.peeters", "475123456", "Claes"):
        assert value not in text
    assert not [line for line in text.splitlines() if "party_id" in json.loads(line)]  # only its hash


def test_a_removed_tail_with_a_rewritten_head_row_fails_against_the_head_kept_outside(env):
    from sqlalchemy import delete, update

    from adapters.store.tables_ops import AuditEntry
    from adapters.store.tables_privacy import AuditHead

    services = env
    _capture(services, event("j1", who=JAN))
    for reason in ("desk", "callback", "follow-up"):
        export_party(services.uow(), _pid(services, JAN), actor="els", reason=reason)
    assert services.verify_audit().ok  # records the head (entry 3) in the privacy log
    with services.store.engine.begin() as conn:  # someone with database access removes entry 3…
        previous = conn.scalar(select(AuditEntry.entry_hash).where(AuditEntry.seq == 2))
        conn.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
        conn.execute(update(AuditHead).values(seq=2, entry_hash=previous))  # …and makes the head match
    assert verify_audit(services.uow()).ok  # the database alone cannot tell
    report = services.verify_audit()
    assert [p["problem"] for p in report.problems] == [
        "differs from the chain head kept outside the database: rewritten or removed"
    ]
