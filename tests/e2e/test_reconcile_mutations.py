"""The reconciler is tested by breaking things on purpose: a clean simulated day through the real host
reconciles to all zeros; then a copy of its store is damaged one way at a time and each damage must
land in its own column (and only there). `loket reconcile RUN --json` reports the same."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, delete, insert, select, update

from adapters.store.tables import Contact, ContactDepartment, Party, PartyIdentifier
from devhost.reconcile import _People
from devhost.sim_driver import DaySpec, RunReconciler, TenantControl, simulate_day, tenant_root
from tests.e2e.conftest import hosted_loket

pytestmark = pytest.mark.slow
COLUMNS = ("missing", "duplicated", "extra", "wrong")


class Day:
    """One clean simulated day, shared by every mutation (each damages its own copy of the store)."""

    def __init__(self, running, run_id: str, truth: list[dict]) -> None:
        self.running, self.run_id, self.truth = running, run_id, truth
        self.store = Path(running.services.settings.data_dir) / "loket.db"
        self.tenant = TenantControl(tenant_root(running.services.settings.graph_base_url))

    def copy(self, path: Path) -> Engine:
        source, target = sqlite3.connect(self.store), sqlite3.connect(path)
        with target:
            source.backup(target)
        source.close()
        target.close()
        return create_engine(f"sqlite:///{path}")

    def reconcile(self, engine: Engine) -> dict:
        return RunReconciler(self.tenant, self.run_id)(engine).to_json()


@pytest.fixture(scope="module")
def day(tmp_path_factory) -> Iterator[Day]:
    data_dir = tmp_path_factory.mktemp("mutations")
    with hosted_loket(data_dir, call_settle_seconds=1, max_concurrent_calls=8) as running:
        spec = DaySpec(contacts=60, rate=0, seed=13, image_letters=0)
        run_id, report = simulate_day(running.services, spec, timeout=120)
        assert report.clean, report.to_json()["problems"]
        simulated = Day(running, run_id, [])
        simulated.truth = simulated.tenant.truth(run_id)
        yield simulated
        simulated.tenant.close()


def _captured(day: Day, channel: str | None = None, scenario: str | None = None) -> list[dict]:
    return [
        r
        for r in day.truth
        if r["captured"]
        and (channel is None or r["channel"] == channel)
        and (scenario is None or r["scenario"] == scenario)
    ]


def _contact(engine: Engine, row: dict):
    with engine.connect() as conn:
        return conn.execute(
            select(Contact).where(Contact.source_id == row["source_id"], Contact.channel == row["channel"])
        ).first()


def _by_person(day: Day) -> dict[str, list[dict]]:
    people: dict[str, list[dict]] = {}
    for row in _captured(day):
        if row.get("citizen"):
            people.setdefault(json.dumps(next(iter(row["citizen"].items()))), []).append(row)
    return people


def duplicate_under_new_event_id(day: Day, engine: Engine) -> None:
    row = _captured(day, "phone")[0]
    with engine.begin() as conn:
        original = conn.execute(select(Contact).where(Contact.source_id == row["source_id"])).mappings().one()
        copy = {k: v for k, v in original.items() if k != "id"} | {"event_id": str(uuid.uuid4())}
        new_id = conn.execute(insert(Contact).values(**copy)).inserted_primary_key[0]
        departments = conn.execute(
            select(ContactDepartment.department).where(ContactDepartment.contact_id == original["id"])
        ).scalars()
        for department in departments:
            conn.execute(insert(ContactDepartment).values(contact_id=new_id, department=department))


def shift_occurred_at_by_a_day(day: Day, engine: Engine) -> None:
    found = _contact(engine, _captured(day, "mail")[0])
    with engine.begin() as conn:
        conn.execute(
            update(Contact)
            .where(Contact.id == found.id)
            .values(occurred_at=found.occurred_at + dt.timedelta(days=1))
        )


def change_an_outcome(day: Day, engine: Engine) -> None:
    found = _contact(engine, _captured(day, "phone", "phone.answered_real")[0])
    with engine.begin() as conn:
        conn.execute(update(Contact).where(Contact.id == found.id).values(outcome="missed"))


def move_to_another_department(day: Day, engine: Engine) -> None:
    row = next(r for r in _captured(day, "post") if r["departments"] != ["Omgeving"])
    found = _contact(engine, row)
    with engine.begin() as conn:
        conn.execute(
            update(ContactDepartment)
            .where(ContactDepartment.contact_id == found.id)
            .values(department="Omgeving")
        )


def merge_two_citizens(day: Day, engine: Engine) -> None:
    """All contacts and identifiers of one citizen onto another's party (as a wrong merge would)."""
    people = _People(day.truth)
    groups = {}
    for rows in _by_person(day).values():
        groups.setdefault(people.find(next(iter(rows[0]["citizen"].items()))), rows)
    first, second = list(groups.values())[:2]  # two people the truth never links
    keep, other = _contact(engine, first[0]).party_id, _contact(engine, second[0]).party_id
    with engine.begin() as conn:
        conn.execute(update(Contact).where(Contact.party_id == other).values(party_id=keep))
        conn.execute(update(PartyIdentifier).where(PartyIdentifier.party_id == other).values(party_id=keep))


def split_one_citizen(day: Day, engine: Engine) -> None:
    rows = next(rows for rows in _by_person(day).values() if len(rows) >= 2)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        new = conn.execute(
            insert(Party).values(display_name=None, name_folded=None, created_at=now, updated_at=now)
        ).inserted_primary_key[0]
        found = conn.execute(
            select(Contact.id).where(Contact.source_id == rows[-1]["source_id"])
        ).scalar_one()
        conn.execute(update(Contact).where(Contact.id == found).values(party_id=new))


def add_an_extra_contact(day: Day, engine: Engine) -> None:
    row = _captured(day, "mail")[0]
    with engine.begin() as conn:
        original = (
            conn.execute(select(Contact).where(Contact.source_id == row["source_id"])).mappings().first()
        )
        extra = {k: v for k, v in original.items() if k != "id"} | {
            "event_id": str(uuid.uuid4()),
            "source_id": f"<{uuid.uuid4().hex}@nowhere.example>",
        }
        conn.execute(insert(Contact).values(**extra))


def delete_a_contact(day: Day, engine: Engine) -> None:
    found = _contact(engine, _captured(day, "post")[0])
    with engine.begin() as conn:
        conn.execute(delete(ContactDepartment).where(ContactDepartment.contact_id == found.id))
        conn.execute(delete(Contact).where(Contact.id == found.id))


MUTATIONS: dict[str, tuple[Callable[[Day, Engine], None], str, set[str] | None]] = {
    # name: (damage, the column it must land in, the wrong fields named when that column is `wrong`)
    "duplicate under a new event id": (duplicate_under_new_event_id, "duplicated", None),
    "occurred_at moved by a day": (shift_occurred_at_by_a_day, "wrong", {"occurred_at"}),
    "outcome changed": (change_an_outcome, "wrong", {"outcome"}),
    "another department": (move_to_another_department, "wrong", {"department"}),
    "two citizens merged": (merge_two_citizens, "wrong", {"party:merged"}),
    "one citizen split": (split_one_citizen, "wrong", {"party:split", "citizen"}),
    "an extra contact": (add_an_extra_contact, "extra", None),
    "a contact deleted": (delete_a_contact, "missing", None),
}


def test_the_untouched_store_reports_all_zeros(day, tmp_path) -> None:
    result = day.reconcile(day.copy(tmp_path / "copy.db"))
    assert {c: result[c] for c in COLUMNS} == dict.fromkeys(COLUMNS, 0), result["problems"]
    assert result["generated"] == 60 == result["captured"] + result["skipped"]


@pytest.mark.parametrize("name", MUTATIONS)
def test_each_damage_to_a_copy_of_the_store_lands_in_its_own_column(day, tmp_path, name) -> None:
    damage, column, fields = MUTATIONS[name]
    engine = day.copy(tmp_path / "copy.db")
    damage(day, engine)
    result = day.reconcile(engine)
    others = {c: result[c] for c in COLUMNS if c != column}
    assert result[column] >= 1 and others == dict.fromkeys(others, 0), (name, result)
    if fields is not None:
        assert set(result["wrong_fields"]) <= fields and set(result["wrong_fields"]) & fields, result
    if name not in ("two citizens merged", "one citizen split"):  # one contact damaged: one count
        assert result[column] == 1, result


def test_loket_reconcile_reports_the_run_again_from_the_command_line(day, tmp_path) -> None:
    """Clean first; then a duplicate made by hand in the store makes the same command exit 1 with it."""
    loket = Path(sys.executable).with_name("loket")
    if not loket.exists():
        pytest.skip("the loket console script is not installed in this environment (make test installs it)")
    settings = day.running.services.settings
    env = {**os.environ, "LOKET_DATA_DIR": str(settings.data_dir), "GRAPH_BASE_URL": settings.graph_base_url}

    def reconcile() -> tuple[int, dict]:
        done = subprocess.run(  # noqa: S603 - our own interpreter / console script
            [str(loket), "reconcile", day.run_id, "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return done.returncode, json.loads(done.stdout)

    code, clean = reconcile()
    assert code == 0 and clean["run"] == day.run_id
    head = ["generated", "captured", "skipped", "missing", "duplicated", "extra", "wrong", "run"]
    assert list(clean)[:8] == head  # design.md: the top-level integers and the run id, then breakdowns
    assert {c: clean[c] for c in COLUMNS} == dict.fromkeys(COLUMNS, 0)
    duplicate_under_new_event_id(day, create_engine(settings.database_url))
    code, damaged = reconcile()
    assert code == 1 and damaged["duplicated"] == 1 and damaged["by_channel"]["phone"]["duplicated"] == 1
