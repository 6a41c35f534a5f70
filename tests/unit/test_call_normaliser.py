"""Phone normaliser: callRecords in the documented and the real call-queue layout become the right contact."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from errors import PermanentError
from handlers.calls import normalize_call
from handlers.event_ids import phone_event_id
from handlers.skips import Skip, SkipReason
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import ContactEvent, Direction, Outcome, SourceSystem
from schemas.graph_callrecord import parse_call_record
from tests.fixtures.calls import AN, CAPTURED_AT, CITIZEN, MOBILE, PIETER, SOFIE, TOM, load


def run(raw: dict[str, Any], policy: CapturePolicy) -> ContactEvent | Skip:
    return normalize_call(parse_call_record(raw), policy=policy, captured_at=CAPTURED_AT)


def event(name_or_raw: str | dict[str, Any], policy: CapturePolicy) -> ContactEvent:
    result = run(load(name_or_raw) if isinstance(name_or_raw, str) else name_or_raw, policy)
    assert isinstance(result, ContactEvent), result
    return result


def skip_reason(name_or_raw: str | dict[str, Any], policy: CapturePolicy) -> SkipReason:
    result = run(load(name_or_raw) if isinstance(name_or_raw, str) else name_or_raw, policy)
    assert isinstance(result, Skip), result
    return result.reason


def test_a_queue_call_in_the_real_layout_is_answered_by_the_agent_on_the_caller_side(policy) -> None:
    ev = event("cq_answered_real", policy)
    assert (ev.direction, ev.outcome) == (Direction.INBOUND, Outcome.ANSWERED)
    assert ev.citizen is not None and ev.citizen.phone == CITIZEN
    assert ev.departments == ("Burgerzaken",)
    assert ev.agent is not None and ev.agent.id == PIETER
    assert (ev.agent.display_name, ev.agent.upn) == ("Pieter Claes", "pieter.claes@stad.example")


def test_an_agent_whose_phone_only_rang_is_not_the_one_who_answered(policy) -> None:
    raw = load("cq_answered_real")
    raw["sessions"] = [
        s for s in raw["sessions"] if "Pieter" not in str(s)
    ]  # only An's zero-length offer is left
    ev = event(raw, policy)
    assert ev.agent is None and ev.outcome is Outcome.MISSED


def test_failure_info_on_a_real_agent_leg_does_not_make_it_unanswered(policy) -> None:
    raw = load("cq_answered_real")
    raw["sessions"][3]["failureInfo"] = {"stage": "midcall", "reason": "Unknown"}  # I1: unreliable for queues
    assert event(raw, policy).agent.id == PIETER


def test_the_documented_layout_takes_the_callee_agent_and_not_the_failed_offer(policy) -> None:
    ev = event("cq_answered_documented", policy)
    assert ev.agent is not None and ev.agent.id == PIETER and ev.agent.upn == "pieter.claes@stad.example"
    assert ev.citizen.phone == MOBILE and ev.departments == ("Burgerzaken",)


def test_a_documented_offer_with_failure_info_alone_is_a_missed_call(policy) -> None:
    raw = load("cq_answered_documented")
    raw["sessions"] = raw["sessions"][:2]  # queue leg + An's failed offer, nobody answered
    ev = event(raw, policy)
    assert (ev.outcome, ev.agent) == (Outcome.MISSED, None)


def test_an_auto_attendant_then_a_queue_gives_the_queues_department_only(policy) -> None:
    ev = event("aa_then_cq_answered", policy)
    assert ev.departments == ("Omgeving",)
    assert ev.agent.id == SOFIE and ev.source.version == 3


def test_a_caller_who_hangs_up_in_the_attendant_menu_is_abandoned_in_the_attendants_department(
    policy,
) -> None:
    ev = event("aa_abandoned", policy)
    assert (ev.outcome, ev.agent, ev.departments) == (Outcome.ABANDONED, None, ("Onthaal",))
    assert ev.citizen.phone == "+32475987654" and ev.duration_seconds == 14


def test_a_queue_that_rang_agents_until_it_timed_out_is_missed(policy) -> None:
    ev = event("cq_missed", policy)
    assert (ev.outcome, ev.agent, ev.departments) == (Outcome.MISSED, None, ("Burgerzaken",))


def test_an_overflow_to_shared_voicemail_is_voicemail(policy) -> None:
    ev = event("cq_voicemail", policy)
    assert (ev.outcome, ev.agent, ev.departments) == (Outcome.VOICEMAIL, None, ("Sociale dienst",))


def test_a_withheld_caller_is_an_anonymous_contact_not_a_skip(policy) -> None:
    ev = event("cq_withheld", policy)
    assert ev.citizen is None and ev.outcome is Outcome.ANSWERED and ev.agent.id == AN


@pytest.mark.parametrize("value", [None, "", "Anonymous", "Onbekend Nummer", "+0123456789", "+1234567890"])
def test_a_caller_id_that_is_no_valid_number_is_never_stored_as_a_number(policy, value) -> None:
    raw = load("cq_answered_real")
    raw["organizer_v2"] = {"id": value, "identity": {"phone": {"id": value}}}
    raw["participants_v2"][0] = {"id": value, "identity": {"phone": {"id": value}}}
    raw["sessions"][0]["caller"]["identity"]["phone"]["id"] = value
    raw["sessions"][0]["segments"][0]["caller"]["identity"]["phone"]["id"] = value
    ev = event(raw, policy)
    assert ev.citizen is None and ev.direction is Direction.INBOUND


def test_the_number_comes_from_organizer_v2_id_when_its_identity_is_missing(policy) -> None:
    raw = load("cq_answered_real")
    raw["organizer_v2"] = {"id": "+3211554433"}
    raw["participants_v2"] = []
    assert event(raw, policy).citizen.phone == "+3211554433"


def test_participants_and_then_session_callers_are_fallbacks_for_the_number(policy) -> None:
    raw = load("cq_answered_real")
    raw["organizer_v2"] = None
    assert event(raw, policy).citizen.phone == CITIZEN  # from participants_v2
    raw["participants_v2"] = None
    ev = event(raw, policy)
    assert ev.citizen.phone == CITIZEN and ev.direction is Direction.INBOUND  # from the session caller


def test_the_deprecated_organizer_still_gives_the_caller(policy) -> None:
    raw = load("direct_dial")
    raw["organizer"] = {"phone": {"id": MOBILE}}
    del raw["organizer_v2"]
    raw["participants_v2"] = []
    ev = event(raw, policy)
    assert (ev.direction, ev.citizen.phone, ev.agent.id) == (Direction.INBOUND, MOBILE, TOM)


def test_a_peer_to_peer_call_between_colleagues_is_skipped_as_internal(policy) -> None:
    assert skip_reason("internal_p2p", policy) is SkipReason.INTERNAL_CALL


def test_a_call_from_the_citys_own_number_is_internal(policy) -> None:
    raw = load("direct_dial")
    text = json.dumps(raw).replace(MOBILE, "+3211430105")
    assert skip_reason(json.loads(text), policy) is SkipReason.INTERNAL_CALL


def test_a_call_between_bots_only_is_skipped_as_bot_only(policy) -> None:
    assert skip_reason("bot_only", policy) is SkipReason.BOT_ONLY_CALL


def test_a_citizen_who_only_reached_a_bot_outside_any_queue_is_bot_only(policy) -> None:
    raw = load("bot_only")
    raw["sessions"][0]["caller"] = {"identity": {"phone": {"id": MOBILE}}}
    raw["organizer_v2"] = {"id": MOBILE, "identity": {"phone": {"id": MOBILE}}}
    assert skip_reason(raw, policy) is SkipReason.BOT_ONLY_CALL


def test_a_transfer_between_agents_keeps_the_agent_who_answered_first(policy) -> None:
    ev = event("cq_transfer", policy)
    assert ev.agent.id == AN and ev.outcome is Outcome.ANSWERED and ev.departments == ("Burgerzaken",)


def test_an_agent_calling_a_citizen_is_outbound_with_the_pstn_callee_as_citizen(policy) -> None:
    ev = event("outbound_agent", policy)
    assert (ev.direction, ev.outcome, ev.citizen.phone) == (Direction.OUTBOUND, Outcome.ANSWERED, MOBILE)
    assert ev.agent.id == PIETER and ev.departments == ()


def test_an_outbound_call_nobody_picked_up_is_missed(policy) -> None:
    raw = load("outbound_agent")
    raw["sessions"][0]["endDateTime"] = raw["sessions"][0]["startDateTime"]
    assert event(raw, policy).outcome is Outcome.MISSED


def test_a_direct_dial_to_a_colleague_is_a_contact_without_department(policy) -> None:
    ev = event("direct_dial", policy)
    assert (ev.outcome, ev.agent.id, ev.departments) == (Outcome.ANSWERED, TOM, ())


def test_a_queue_outside_the_policy_is_skipped(policy) -> None:
    assert skip_reason("queue_not_in_policy", policy) is SkipReason.QUEUE_NOT_IN_POLICY


def test_a_number_on_the_exclusion_list_is_skipped_as_excluded(policy) -> None:
    strict = policy.model_copy(
        update={"exclusions": policy.exclusions.model_copy(update={"phone_numbers": (CITIZEN,)})}
    )
    assert skip_reason("cq_answered_real", strict) is SkipReason.EXCLUDED


def test_versions_of_one_record_share_the_event_id_and_carry_their_version(policy) -> None:
    events = [event(f"versioned_v{n}", policy) for n in (1, 2, 3)]
    assert len({e.event_id for e in events}) == 1
    assert [e.source.version for e in events] == [1, 2, 3]
    assert [e.outcome for e in events] == [Outcome.ABANDONED, Outcome.ANSWERED, Outcome.ANSWERED]
    assert events[1].model_dump(exclude={"source"}) == events[2].model_dump(exclude={"source"})


def test_the_event_carries_identity_times_and_truncated_duration(policy) -> None:
    raw = load("cq_answered_real")
    raw["endDateTime"] = "2026-03-10T09:18:43.9999999Z"  # 400.987 s after the start
    ev = event(raw, policy)
    assert ev.event_id == phone_event_id(raw["id"])
    assert (ev.source.system, ev.source.id, ev.source.version) == (
        SourceSystem.GRAPH_CALLRECORDS,
        raw["id"],
        2,
    )
    assert ev.occurred_at == dt.datetime(2026, 3, 10, 9, 12, 3, 12654, tzinfo=dt.UTC)
    assert ev.ended_at == dt.datetime(2026, 3, 10, 9, 18, 43, 999999, tzinfo=dt.UTC)
    assert ev.duration_seconds == 400 and ev.captured_at == CAPTURED_AT


def test_records_with_only_associated_identities_after_the_2026_deprecation_still_work(policy) -> None:
    raw = load("cq_answered_real")
    for session in raw["sessions"]:
        for part in [session] + session["segments"]:
            for side in ("caller", "callee"):
                endpoint = part[side]
                ids = endpoint.pop("identity", None) or {}
                typed = ids.get("user") or ids.get("phone")
                if typed and "associatedIdentity" not in endpoint:
                    endpoint["associatedIdentity"] = {
                        "id": typed["id"],
                        "displayName": typed.get("displayName"),
                    }
    for item in raw["participants_v2"]:
        item.pop("identity")
    raw["organizer_v2"].pop("identity")
    assert event(raw, policy) == event("cq_answered_real", policy)


def test_a_skip_names_the_record_so_it_can_be_reconciled(policy) -> None:
    result = run(load("internal_p2p"), policy)
    assert isinstance(result, Skip) and result.source_id == load("internal_p2p")["id"]
    assert result.to_json_dict() == {"skipped": "internal_call"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda r: r.pop("id"), "id"),
        (lambda r: r.pop("startDateTime"), "startDateTime"),
        (lambda r: r.update(startDateTime="+32475123456"), "startDateTime"),
        (lambda r: r.update(sessions="+32475123456"), "sessions"),
        (lambda r: r.update(version="+32 475 12 34 56"), "version"),
    ],
)
def test_a_malformed_record_is_a_permanent_error_naming_the_field_never_the_value(change, field) -> None:
    raw = load("cq_answered_real")
    change(raw)
    with pytest.raises(PermanentError) as caught:
        parse_call_record(raw)
    assert field in str(caught.value) and "475" not in str(caught.value) and CITIZEN not in str(caught.value)
    assert caught.value.reason == "malformed_call_record"


def test_a_payload_that_is_not_an_object_is_a_permanent_error() -> None:
    with pytest.raises(PermanentError, match="not a JSON object"):
        parse_call_record(["not", "a", "record"])


def test_nulls_for_collections_and_identities_are_tolerated(policy) -> None:
    raw = load("cq_answered_real")
    raw.update(sessions=None, participants_v2=None, modalities=None, participants=None)
    raw["organizer_v2"]["identity"] = {"user": None, "phone": {"id": CITIZEN}, "guest": None, "acsUser": None}
    ev = event(raw, policy)
    assert ev.citizen.phone == CITIZEN and ev.outcome is Outcome.UNKNOWN and ev.departments == ()


def test_an_untyped_session_caller_in_national_format_is_the_last_fallback_for_the_number(policy) -> None:
    raw = load("cq_answered_real")
    raw.update(organizer_v2=None, participants_v2=[])
    for part in [raw["sessions"][0], *raw["sessions"][0]["segments"]]:
        part["caller"]["identity"] = {"id": "011 43 22 11", "displayName": None}
    ev = event(raw, policy)
    assert ev.citizen.phone == CITIZEN and ev.direction is Direction.INBOUND


def test_an_unknown_attendant_in_front_of_a_policy_queue_still_gives_the_queues_department(policy) -> None:
    text = json.dumps(load("aa_then_cq_answered")).replace(
        "1d3f5a7c-1111-4b2d-8e6f-0a1b2c3d4e01", "77777777-1111-4b2d-8e6f-0a1b2c3d4e99"
    )
    assert event(json.loads(text), policy).departments == ("Omgeving",)


def test_an_overflow_to_a_second_queue_lists_both_queues_in_the_order_reached(policy) -> None:
    raw = load("cq_missed")
    overflow = json.loads(json.dumps(raw["sessions"][0]))
    overflow["callee"]["identity"]["user"]["id"] = "0b6a1f7e-2222-4c3b-8d1e-aa00bb11cc22"
    overflow["startDateTime"] = "2026-03-10T09:17:00.0000000Z"
    raw["sessions"].append(overflow)
    assert event(raw, policy).departments == ("Burgerzaken", "Omgeving")


def test_a_record_without_sessions_takes_the_department_from_the_listed_resource_account(policy) -> None:
    raw = load("aa_then_cq_answered")
    raw["sessions"] = []
    ev = event(raw, policy)
    assert ev.departments == ("Onthaal",) and ev.agent is None


def test_a_further_sessions_page_completes_the_record_the_agent_was_on(policy) -> None:
    from schemas.graph_callrecord import SessionsPage, parse_page

    raw = load("versioned_v2")
    first, rest = raw["sessions"][:1], raw["sessions"][1:]
    raw.update({"sessions": first, "sessions@odata.nextLink": "https://graph.microsoft.com/v1.0/next"})
    record = parse_call_record(raw)
    page = parse_page({"value": rest}, SessionsPage)
    result = normalize_call(record.with_sessions(page), policy=policy, captured_at=CAPTURED_AT)
    assert isinstance(result, ContactEvent) and result.agent.id == AN
    with pytest.raises(PermanentError, match="sessions page: no value"):
        parse_page({"value": None}, SessionsPage)
