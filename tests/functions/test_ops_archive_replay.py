"""Archive replay: a day re-published to `crm` only rebuilds the same timelines, twice changes nothing,
and an erased citizen stays erased (tombstones in the store, objects gone from the archive)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import typer
from typer.testing import CliRunner

from adapters.store.migrate import upgrade
from adapters.store.uow import SqlStore
from cli import replay as replay_cli
from handlers.crm import record_contact
from handlers.gdpr import erase_party
from handlers.ports.store import IdentifierType
from handlers.replay_jobs import create_job, run_job
from schemas.ops import ReplayRequest
from tests.contract.store_backends import T0, citizen, event

CRM = "contact-events/crm"
PEOPLE = {
    "jan": citizen("Jan Peeters", "jan.peeters@example.be", "+32475123456"),
    "an": citizen("An Claes", "an.claes@example.be", "+32476000001"),
    "piet": citizen("Piet Janssens", "piet@example.be", None),
}


def a_day() -> list:
    """A day of calls, mails and a letter: a second mailbox's copy, a newer version, one outside the day."""
    h = dt.timedelta(hours=1)
    return [
        event("c1", who=PEOPLE["jan"], at=T0),
        event("c1", who=PEOPLE["jan"], at=T0, version=2, outcome="missed"),
        event(
            "m1",
            who=PEOPLE["an"],
            channel="mail",
            at=T0 + h,
            departments=("Onthaal",),
            mailboxes=("info@stad.example",),
        ),
        event(
            "m1",
            who=PEOPLE["an"],
            channel="mail",
            at=T0 + h,
            departments=("Financiën",),
            mailboxes=("financien@stad.example",),
        ),
        event("p1", who=PEOPLE["piet"], channel="post", at=T0 + 2 * h, departments=("Omgeving",)),
        event("c2", who=PEOPLE["jan"], at=T0 + 3 * h, departments=("Sociale dienst",)),
        event("old", who=PEOPLE["an"], at=T0 - dt.timedelta(days=3)),
    ]


def timelines(uow_factory) -> dict[str, list]:
    """Every citizen's timeline keyed by e-mail (party ids differ between stores)."""
    found = {}
    with uow_factory() as uow:
        for who in PEOPLE.values():
            ids = uow.parties.find(IdentifierType.EMAIL, who.email, 5)
            found[who.email] = sorted(
                (
                    str(e.event_id),
                    e.version,
                    e.outcome,
                    tuple(sorted(e.departments)),
                    tuple(sorted(e.mailboxes)),
                )
                for pid in ids
                for e in uow.contacts.timeline(pid)
            )
    return found


@pytest.fixture
def archived(services):
    for ev in a_day():
        services.archive.put(ev)  # what archive_event did when the events first went by
    return services


def drain(services) -> int:
    """The crm consumer, as record_contact runs it."""
    taken = 0
    while batch := services.bus.receive(CRM, max_messages=100):
        for message in batch:
            from schemas.contact_event import ContactEvent

            record_contact(ContactEvent.from_json(message.body), services.uow(), services.now())
            services.bus.complete(message)
            taken += 1
    return taken


def replay(services, **fields):
    deps = services.replay_deps()
    job = run_job(create_job(ReplayRequest(kind="archive", **fields), "tester", deps), deps)
    assert job.status == "done", job.error
    return job


def expected(tmp_path) -> dict:
    """The same day recorded live (in arrival order) into a store of its own."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    upgrade(url)
    store = SqlStore.from_url(url)
    for ev in a_day():
        if ev.occurred_at >= T0:
            record_contact(ev, store.uow())
    try:
        return timelines(store.uow)
    finally:
        store.dispose()


def test_replaying_a_day_into_an_empty_store_rebuilds_the_same_timelines(archived, tmp_path):
    job = replay(archived, since=T0, until=T0 + dt.timedelta(days=1))
    assert job.resubmitted == 5  # two versions of c1, one merged object for m1, p1, c2; not "old"
    assert archived.bus.peek("contact-events/archive") == []  # addressed to crm only
    assert drain(archived) == 5
    assert timelines(archived.uow) == expected(tmp_path)


def test_replaying_twice_publishes_again_under_new_ids_and_changes_nothing(archived):
    replay(archived, since=T0)
    drain(archived)
    before = timelines(archived.uow)
    replay(archived, since=T0)  # inside the duplicate-detection window: new ids get through
    assert drain(archived) == 5
    assert timelines(archived.uow) == before


def test_an_erased_citizen_stays_erased_through_both_replays(archived):
    replay(archived, since=T0)
    drain(archived)
    with archived.uow() as uow:
        (jan,) = uow.parties.find(IdentifierType.EMAIL, PEOPLE["jan"].email, 5)
    erase_party(archived.uow(), jan, actor="tester", reason="GDPR erasure request")
    replay(archived, since=T0)  # the archive still holds Jan's events: tombstones refuse them
    drain(archived)
    assert timelines(archived.uow)[PEOPLE["jan"].email] == []
    assert timelines(archived.uow)[PEOPLE["an"].email] != []


def test_the_channel_filter_and_a_dry_run_limit_what_is_published(archived):
    assert replay(archived, since=T0, channel="mail").resubmitted == 1
    assert drain(archived) == 1
    dry = replay(archived, since=T0, dry_run=True)
    assert (dry.resubmitted, dry.summary["selected"]) == (0, 5)
    assert archived.bus.peek(CRM) == []


def test_the_command_replays_the_archive_and_refuses_a_bad_channel(archived, monkeypatch):
    monkeypatch.setenv("LOKET_DATA_DIR", str(archived.settings.data_dir))
    app = typer.Typer()
    replay_cli.register(app)
    result = CliRunner().invoke(
        app,
        [
            "replay",
            "archive",
            "--since",
            "2026-11-02",
            "--until",
            "2026-11-03",
            "--channel",
            "phone",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["resubmitted"] == 3
    assert CliRunner().invoke(app, ["replay", "archive", "--since", "2d", "--channel", "fax"]).exit_code == 2
