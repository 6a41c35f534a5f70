"""The subscription manager against the simulated tenant on a moved clock: created with a verifiable
clientState, renewed before expiry, recreated when missing or removed, dropped with the policy."""
from __future__ import annotations

import datetime as dt

import pytest

from handlers.client_state import client_state_for
from handlers.subscription_plan import CALLS_LIFETIME, MAIL_LIFETIME
from tests.e2e.catch_up_env import MAILBOX, running_loket, wait_for


@pytest.fixture
def env(tmp_path):
    with running_loket(tmp_path) as env:
        yield env


def by_resource(subs: list[dict]) -> dict[str, dict]:
    return {s["resource"]: s for s in subs}


def test_ensure_creates_one_subscription_per_policy_mailbox_and_one_filtered_for_call_records(env):
    report = env.services.maintain_subscriptions()
    live = by_resource(env.graph_subscriptions())
    mailboxes = [b.user_id for b in env.services.policy.mailboxes]
    assert {f"users/{m}/messages" for m in mailboxes} <= set(live)
    [calls] = [r for r in live if r.startswith("communications/callRecords")]
    assert "participants/any(p:p/id in (" in calls  # filtered to the resource accounts by default
    assert "'2e4a6b8d-1111-4c3e-9f7a-1b2c3d4e5f02'" in calls
    assert len(report.created) == len(mailboxes) + 1 and not report.failed
    mail = live[f"users/{MAILBOX}/messages"]
    assert mail["changeType"] == "created" and live[calls]["changeType"] == "updated"
    assert mail["lifecycleNotificationUrl"] == f"{env.url}/api/graph/lifecycle"
    entry = env.services.subscriptions.get(mail["id"])
    assert mail["clientState"] == client_state_for(env.services.client_state_key, entry.nonce)
    assert entry.expires_at - env.services.now() > MAIL_LIFETIME - dt.timedelta(minutes=5)


def test_a_second_ensure_keeps_what_is_there(env):
    env.services.maintain_subscriptions()
    before = {s["id"] for s in env.graph_subscriptions()}
    report = env.services.maintain_subscriptions()
    assert not report.created and not report.renewed and len(report.kept) == len(before)
    assert {s["id"] for s in env.graph_subscriptions()} == before


def test_subscriptions_are_renewed_before_they_expire_under_a_moved_clock(env):
    env.services.maintain_subscriptions()
    first = by_resource(env.graph_subscriptions())
    env.clock.advance(CALLS_LIFETIME / 2 + dt.timedelta(hours=1))  # calls past half-life, mail not yet
    env.services.maintain_subscriptions()  # (the host's hourly timer may get there first: same result)
    live = by_resource(env.graph_subscriptions())
    calls = next(r for r in live if r.startswith("communications"))
    assert live[calls]["id"] == first[calls]["id"]  # the same subscription, with a new expiry
    assert live[calls]["expirationDateTime"] > first[calls]["expirationDateTime"]
    mailbox = f"users/{MAILBOX}/messages"
    assert live[mailbox]["expirationDateTime"] == first[mailbox]["expirationDateTime"]  # not due yet
    for _ in range(16):  # ten more days, ensured every 15 hours (the timer runs hourly)
        env.clock.advance(dt.timedelta(hours=15))
        report = env.services.maintain_subscriptions()
        assert not report.created and not report.failed
    live = by_resource(env.graph_subscriptions())
    assert {r: s["id"] for r, s in live.items()} == {r: s["id"] for r, s in first.items()}


def test_a_subscription_that_lapsed_unrenewed_is_recreated_by_the_next_ensure(env):
    env.services.maintain_subscriptions()
    old = {s["id"] for s in env.graph_subscriptions()}
    env.clock.advance(MAIL_LIFETIME + dt.timedelta(hours=1))  # everything expired at the tenant
    env.services.maintain_subscriptions()  # (or the host's hourly timer, whichever runs first)
    live = {s["id"] for s in env.graph_subscriptions()}
    assert len(live) == len(env.services.policy.mailboxes) + 1 and not live & old
    assert {e.id for e in env.services.subscriptions.all()} == live  # no stale registry rows


def test_subscription_removed_is_recreated_by_the_lifecycle_handler(env):
    env.services.maintain_subscriptions()
    old = by_resource(env.graph_subscriptions())[f"users/{MAILBOX}/messages"]["id"]
    answer = env.sim("POST", "/_sim/lifecycle", json={"subscriptionId": old, "event": "subscriptionRemoved"})
    assert answer.json()["notified"] == [202]

    def recreated():
        sub = by_resource(env.graph_subscriptions()).get(f"users/{MAILBOX}/messages")
        return sub if sub and sub["id"] != old else None

    new = wait_for(recreated)
    assert new, "the removed subscription was not recreated"
    assert env.services.subscriptions.get(old) is None
    assert env.services.subscriptions.get(new["id"]) is not None


def test_a_mailbox_the_policy_no_longer_names_loses_its_subscription(env):
    env.services.maintain_subscriptions()
    dropped = env.services.policy.mailboxes[0]
    env.services.policy = env.services.policy.model_copy(
        update={"mailboxes": env.services.policy.mailboxes[1:]})
    report = env.services.maintain_subscriptions()
    assert len(report.removed) == 1
    assert f"users/{dropped.user_id}/messages" not in by_resource(env.graph_subscriptions())


def test_an_orphan_subscription_to_our_url_is_deleted_so_it_cannot_block_a_new_one(env):
    env.services.maintain_subscriptions()
    orphan = by_resource(env.graph_subscriptions())[f"users/{MAILBOX}/messages"]["id"]
    env.services.subscriptions.remove(orphan)  # as after a crash between create and save
    report = env.services.maintain_subscriptions()
    assert orphan in report.removed and len(report.created) == 1
    assert orphan not in {s["id"] for s in env.graph_subscriptions()}


def test_the_loket_commands_ensure_list_and_catch_up(env, monkeypatch):
    import json

    import typer
    from typer.testing import CliRunner

    from cli import catch_up, subscriptions

    app = typer.Typer()
    subscriptions.register(app)
    catch_up.register(app)
    for key, value in {"LOKET_DATA_DIR": str(env.data_dir), "GRAPH_BASE_URL": env.tenant.base_url,
                       "GRAPH_NOTIFICATION_URL": f"{env.url}/api/graph/notifications",
                       "GRAPH_LIFECYCLE_URL": f"{env.url}/api/graph/lifecycle"}.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    ensured = runner.invoke(app, ["subscriptions", "ensure", "--json"])
    assert ensured.exit_code == 0, ensured.output
    assert len(json.loads(ensured.output)["created"]) == len(env.services.policy.mailboxes) + 1
    listed = json.loads(runner.invoke(app, ["subscriptions", "list", "--json"]).output)
    assert len(listed["subscriptions"]) == len(env.services.policy.mailboxes) + 1
    assert all(row["expires_in_hours"] > 24 for row in listed["subscriptions"])
    env.add_mail(MAILBOX, "<cli@telenet.be>", sender="cli@telenet.be", notify=False)
    caught = runner.invoke(app, ["catch-up", "--since", "2020-01-01T00:00Z", "--json"])
    assert caught.exit_code == 0, caught.output
    assert json.loads(caught.output)["mail"] == 1
    assert runner.invoke(app, ["catch-up", "--since", "yesterday"]).exit_code == 2
    assert runner.invoke(app, ["subscriptions", "delete", "--yes"]).exit_code == 0
    assert env.graph_subscriptions() == []
