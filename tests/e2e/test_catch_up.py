"""Catch-up end to end on a moved clock: a `missed` lifecycle event and a 10-minute notification
outage are filled with no duplicates, an erased contact stays erased, and a 429/503 storm from the
tenant delays capture but loses nothing."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from handlers.gdpr import erase_party
from tests.e2e.catch_up_env import FIXTURES, MAILBOX, OTHER_MAILBOX, running_loket, wait_for

START = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)  # half an hour after the fixture call ended


@pytest.fixture
def env(tmp_path):
    with running_loket(tmp_path, start=START) as env:  # timers, bus and tenant read one clock
        env.services.maintain_subscriptions()
        yield env


def mail_contacts(env) -> int:
    return sum(1 for _, channel in env.contacts() if channel == "mail")


def mail_sub(env) -> str:
    return next(s["id"] for s in env.graph_subscriptions() if s["resource"] == f"users/{MAILBOX}/messages")


def test_a_missed_event_is_filled_by_catch_up_without_duplicating_what_was_notified(env):
    env.add_mail(MAILBOX, "<a@telenet.be>", sender="a@telenet.be")
    assert wait_for(lambda: mail_contacts(env) == 1)
    env.add_mail(MAILBOX, "<b@telenet.be>", sender="b@telenet.be", notify=False)  # Graph dropped these
    env.add_mail(MAILBOX, "<c@stad.example>", sender="burgerzaken@stad.example", to="c@telenet.be",
                 folder="sentitems", notify=False)  # an answer the city sent
    answer = env.sim("POST", "/_sim/lifecycle", json={"subscriptionId": mail_sub(env), "event": "missed"})
    assert answer.json()["notified"] == [202]
    assert wait_for(lambda: mail_contacts(env) == 3), "the missed mail was not caught up"
    env.services.catch_up()  # and a sweep after that finds nothing new to add
    env.clock.advance(dt.timedelta(minutes=1))
    assert wait_for(lambda: not env.services.bus.peek("mail-notifications"), timeout=20)
    assert mail_contacts(env) == 3
    assert len({event_id for event_id, _ in env.contacts()}) == len(env.contacts())


def test_a_ten_minute_outage_of_notifications_is_filled_by_the_catch_up_timer(env):
    env.add_mail(MAILBOX, "<before@telenet.be>", sender="before@telenet.be")
    assert wait_for(lambda: mail_contacts(env) == 1)
    for minute in range(10):  # ten minutes of mail and a call whose notifications never arrive
        env.add_mail(MAILBOX if minute % 2 else OTHER_MAILBOX, f"<m{minute}@telenet.be>",
                     sender=f"m{minute}@telenet.be", notify=False)
        env.clock.advance(dt.timedelta(minutes=1))
    record = json.loads((FIXTURES / "tenant" / "callrecord_real_layout_cq.json").read_text(encoding="utf-8"))
    assert env.sim("POST", "/_sim/callRecords", json={"record": record, "notify": False}).status_code == 201
    assert mail_contacts(env) == 1
    env.clock.advance(dt.timedelta(minutes=15))  # the catch_up timer (every 15 min) fires
    assert wait_for(lambda: mail_contacts(env) == 11), "the outage was not filled"
    assert wait_for(lambda: any(channel == "phone" for _, channel in env.contacts()))
    assert len(env.contacts()) == 12


def test_catch_up_never_brings_back_an_erased_contact(env):
    env.add_mail(MAILBOX, "<erase-me@telenet.be>", sender="erase-me@telenet.be")
    assert wait_for(lambda: mail_contacts(env) == 1)
    with env.services.store.engine.connect() as conn:
        party = conn.execute(text("select party_id from contacts")).scalar_one()
    erase_party(env.services.uow(), party, actor="test", reason="GDPR request in test",
                now=env.services.now())
    env.services.catch_up(since=START - dt.timedelta(hours=1))  # re-reads the erased mail from Graph
    env.clock.advance(dt.timedelta(minutes=1))
    assert wait_for(lambda: not env.services.bus.peek("mail-notifications"), timeout=20)
    assert mail_contacts(env) == 0


def test_a_throttling_storm_delays_capture_but_loses_nothing(env):
    for status, times in ((429, 9), (503, 6)):  # far more than the SDK's own 3 retries per read
        rule = {"path": "/messages/", "method": "GET", "status": status, "retryAfter": 1, "times": times}
        assert env.sim("POST", "/_sim/faults", json=rule).status_code == 200
    for n in range(3):
        env.add_mail(MAILBOX, f"<storm{n}@telenet.be>", sender=f"storm{n}@telenet.be")

    def captured() -> bool:
        env.clock.advance(dt.timedelta(seconds=15))  # releases the rescheduled copies (10 s back-off)
        return mail_contacts(env) == 3

    assert wait_for(captured, timeout=90, every=1.0), "the storm lost mail"
    faults = env.sim("GET", "/_sim/faults").json()["faults"]
    assert all(rule["times"] == 0 for rule in faults)  # the storm really happened
    assert env.services.bus.peek("mail-notifications", dead_letter=True) == []
    assert len(env.contacts()) == 3


@pytest.mark.slow  # ten plain-mode redeliveries, each with the SDK's own retries
def test_a_storm_that_outlasts_every_attempt_dead_letters_with_the_reason(tmp_path):
    with running_loket(tmp_path, start=START, MAX_ATTEMPTS=2) as env:
        env.services.maintain_subscriptions()
        rule = {"path": "/messages/", "method": "GET", "status": 503, "retryAfter": 1, "times": 10_000}
        env.sim("POST", "/_sim/faults", json=rule)
        env.add_mail(MAILBOX, "<endless@telenet.be>", sender="endless@telenet.be")

        def dead_letters():
            env.clock.advance(dt.timedelta(seconds=15))  # releases the rescheduled attempt (10 s back-off)
            return env.services.bus.peek("mail-notifications", dead_letter=True)

        [dead] = wait_for(dead_letters, timeout=120, every=1.0)
        assert dead.application_properties.get("loket-attempt") == 2  # only past MAX_ATTEMPTS
        with env.services.store.engine.connect() as conn:
            query = text("select reason from failure_log where message_id = :m")
            reasons = {r for (r,) in conn.execute(query, {"m": dead.message_id})}
        assert reasons == {"MaxAttemptsExceeded"}  # the operators see why beside the dead letter
        assert mail_contacts(env) == 0
