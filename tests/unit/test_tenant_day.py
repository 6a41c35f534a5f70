"""The simulated working day: it covers every scenario, its payloads are Graph's shapes (msgraph-sdk
parses them), and what Loket's normalisers make of each one is what its ground truth says."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from msgraph.generated.models.call_records.call_record import CallRecord
from msgraph.generated.models.message import Message

from devhost.tenant import day_scenarios  # noqa: F401 - fills the catalogue
from devhost.tenant.day import CATALOGUE, Day, Plan
from devhost.tenant.faults import KINDS, FaultPlan, parse_kinds, plan_faults
from handlers.calls import normalize_call
from handlers.event_ids import pdf_sha256
from handlers.letters import normalize_letter, tray_from_blob_name
from handlers.mail import normalize_mail
from handlers.skips import Skip
from schemas.capture_policy import load_policy
from schemas.graph_callrecord import parse_call_record
from schemas.graph_message import MailFolder, parse_message
from schemas.scan_sidecar import parse_sidecar
from settings import SAMPLE_POLICY

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


def sdk_parse(raw: dict, model):
    node = JsonParseNodeFactory().get_root_parse_node("application/json", json.dumps(raw).encode())
    return node.get_object_value(model)


def a_day(contacts: int, seed: int = 11, faults: list[str] = (), rate: float = 0.2) -> list[Plan]:
    day = Day(seed, list(faults), rate, image_letters=0, now=lambda: NOW)
    return [day.plan_contact() for _ in range(contacts)]


@pytest.fixture(scope="module")
def policy():
    return load_policy(SAMPLE_POLICY)


def test_a_short_day_still_covers_every_scenario_of_the_catalogue() -> None:
    plans = a_day(len(CATALOGUE))
    assert {p.expect.scenario for p in plans} == set(CATALOGUE) - {"post.image_only"} | {"post.text_only"}
    assert {p.expect.channel for p in plans} == {"mail", "phone", "post"}


def test_the_same_seed_brings_the_same_scenarios_and_the_same_citizens() -> None:
    first, second = a_day(80, seed=5), a_day(80, seed=5)
    assert [p.expect.scenario for p in first] == [p.expect.scenario for p in second]
    assert [p.expect.citizen for p in first] == [p.expect.citizen for p in second]


def test_citizens_come_back_so_timelines_grow() -> None:
    emails = [p.expect.citizen["email"] for p in a_day(150) if (p.expect.citizen or {}).get("email")]
    assert len(set(emails)) < len(emails)


def test_every_message_and_call_record_parses_with_msgraph_sdk_models_fields_intact() -> None:
    for plan in a_day(60, faults=["late-versions", "stale"], rate=0.5):
        for action in plan.actions:
            if action.kind == "message":
                raw = action.args["message"]
                parsed = sdk_parse(raw, Message)
                assert parsed.internet_message_id == raw["internetMessageId"]
                assert parsed.from_.email_address.address == raw["from"]["emailAddress"]["address"]
                assert [r.email_address.address for r in parsed.reply_to] == [
                    r["emailAddress"]["address"] for r in raw["replyTo"]
                ]
            elif action.kind == "call":
                raw = action.args["record"]
                parsed = sdk_parse(raw, CallRecord)
                assert parsed.id == raw["id"] and len(parsed.sessions) == len(raw["sessions"])
                assert not (parsed.additional_data or {}), "a field the SDK does not know"


def _loket_mail(plan: Plan, policy):
    results = []
    for action in plan.actions:
        if action.kind == "message":
            message = parse_message(action.args["message"])
            folder = MailFolder.parse(action.args["folder"])
            results.append(
                normalize_mail(
                    message, mailbox=action.args["user"], folder=folder, policy=policy, captured_at=NOW
                )
            )
    return results


def _check(plan: Plan, result, departments: set[str], policy) -> None:
    expect = plan.expect
    if not expect.captured:
        assert isinstance(result, Skip) and result.reason.value == expect.reason, expect.scenario
        return
    assert not isinstance(result, Skip), (expect.scenario, result)
    event = result[0] if isinstance(result, list) else result
    citizen = None
    if event.citizen is not None:
        citizen = {kind: getattr(event.citizen, kind) for kind in expect.citizen or {"email": None}}
    got = (event.direction.value, event.outcome.value, citizen, departments)
    assert got == (expect.direction, expect.outcome, expect.citizen, set(expect.departments)), expect.scenario
    assert (event.agent.id if event.agent else None) == expect.agent, expect.scenario
    # The fields the reconciler compares besides: the truth must say what Loket rightly makes.
    assert expect.occurred_at, expect.scenario
    assert event.occurred_at.replace(microsecond=0) == _instant(expect.occurred_at), expect.scenario
    for name, value in expect.texts.items():
        assert getattr(event, name) == value, (expect.scenario, name)
    if expect.duration is not None:
        assert event.duration_seconds == expect.duration, expect.scenario
    if expect.mailboxes is not None and expect.scenario != "mail.two_mailboxes":  # one message, one box here
        assert list(event.source.mailboxes) == expect.mailboxes, expect.scenario


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")[:19] + "+00:00")


def test_loket_makes_of_each_mail_what_the_ground_truth_says(policy) -> None:
    for plan in (p for p in a_day(200) if p.expect.channel == "mail"):
        results = _loket_mail(plan, policy)
        departments = {d for r in results if not isinstance(r, Skip) for e in r for d in e.departments}
        _check(plan, results[0], departments, policy)


def test_loket_makes_of_each_settled_call_record_what_the_ground_truth_says(policy) -> None:
    for plan in (p for p in a_day(200, faults=["late-versions"], rate=0.5) if p.expect.channel == "phone"):
        last = [a for a in plan.actions if a.kind == "call"][-1].args["record"]
        result = normalize_call(parse_call_record(last), policy=policy, captured_at=NOW)
        _check(plan, result, set() if isinstance(result, Skip) else set(result.departments), policy)


def test_loket_reads_each_letter_and_its_sidecar_as_the_ground_truth_says(policy) -> None:
    from adapters.text_extraction.pdf_text_layer import PdfTextLayerExtractor

    extractor = PdfTextLayerExtractor()
    for plan in (p for p in a_day(120) if p.expect.channel == "post"):
        letter = plan.actions[0].args
        card = next((a.args["sidecar"] for a in plan.actions if a.kind == "sidecar"), None)
        event = normalize_letter(
            pdf_digest=pdf_sha256(letter["pdf"]),
            text=extractor.extract(letter["pdf"]).text,
            sidecar=parse_sidecar(json.dumps(card).encode()) if card else None,
            tray=tray_from_blob_name(letter["name"]),
            blob_name=letter["name"],
            received_at=_instant(letter["arrived"]),
            policy=policy,
            captured_at=NOW,
        )
        assert (event.source.id, event.source.version) == (plan.expect.source_id, plan.expect.version)
        _check(plan, event, set(event.departments), policy)


def test_fault_kinds_are_checked_and_all_means_every_kind() -> None:
    assert parse_kinds("all") == list(KINDS)
    assert parse_kinds("none") == [] and parse_kinds("") == []
    assert parse_kinds("throttle, early") == ["throttle", "early"]
    with pytest.raises(ValueError, match="unknown fault kind"):
        parse_kinds("throttle,flood")


def test_a_slow_read_comes_last_so_every_refusal_before_it_is_met() -> None:
    rules = FaultPlan(kinds=["slow", "early", "throttle"]).rules("/messages/x", "ErrorItemNotFound")
    assert [r.get("status") for r in rules] == [404, 429, None] and rules[-1]["delay"] > 0


def test_letters_get_no_graph_faults_and_only_calls_get_version_faults() -> None:
    import random

    rng = random.Random(1)  # noqa: S311
    assert plan_faults(rng, list(KINDS), "post", rate=1.0).kinds == []
    mail = plan_faults(rng, list(KINDS), "mail", rate=1.0)
    assert not ({"late-versions", "stale"} & set(mail.kinds)) and mail.copies == 2
    assert plan_faults(rng, list(KINDS), "phone", rate=1.0).late


def test_the_day_sends_machine_senders_and_list_mail_whose_truth_expects_their_skip_reason(policy) -> None:
    plans = a_day(300)
    reasons = {p.expect.scenario: p.expect.reason for p in plans if not p.expect.captured}
    assert reasons["mail.machine_sender"] == "machine_sender" and reasons["mail.bulk"] == "bulk_mail"
    for plan in plans:
        if plan.expect.scenario in ("mail.machine_sender", "mail.bulk"):
            message = parse_message(plan.actions[-1].args["message"])
            box = plan.actions[-1].args["user"]
            result = normalize_mail(message, mailbox=box, folder=MailFolder.INBOX, policy=policy,
                                    captured_at=NOW)
            assert isinstance(result, Skip) and result.reason.value == plan.expect.reason


def test_the_days_odd_notifications_are_read_past_and_still_name_the_contact() -> None:
    from devhost.tenant.notify import change_item, oddly
    from handlers.notifications import QueueNames, route_notifications

    plans = [p for p in a_day(300) if p.expect.scenario.endswith("odd_notification")]
    assert {p.expect.scenario for p in plans} == {"mail.odd_notification", "phone.odd_notification"}
    assert all(p.expect.captured for p in plans)  # the truth expects the contact itself
    sub = {"id": "s-1", "expirationDateTime": "2026-11-30T00:00:00Z", "clientState": "c"}
    for plan in plans:
        [odd] = [a for a in plan.actions if a.args.get("oddities")][:1]
        resource = ("Users/u-1/Messages/m-1" if plan.expect.channel == "mail"
                    else f"communications/callRecords/{plan.expect.source_id}")
        kind = "#Microsoft.Graph.Message" if plan.expect.channel == "mail" else "#Microsoft.Graph.callrecord"
        item = oddly(change_item(sub, "created", resource, kind, "m-1"), odd.args["oddities"])
        batch = route_notifications(json.dumps({"value": [item]}).encode(), received_at=NOW,
                                    call_settle_seconds=5, queues=QueueNames())
        [queued] = batch.queued
        assert queued.tolerated and batch.ignored == ()
