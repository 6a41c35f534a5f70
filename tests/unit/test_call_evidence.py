"""Call outcomes only from evidence, and every identity in its place (issue #14, items 3 and 4)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from handlers.skips import SkipReason
from schemas.contact_event import Direction, Outcome
from tests.fixtures.calls import AN, CITIZEN, PIETER, load
from tests.unit.test_call_normaliser import event, skip_reason

OTHER_TENANT = "0f0f0f0f-9999-4a6b-8c1d-0000000000ff"
CQ_BURGERZAKEN = "2e4a6b8d-1111-4c3e-9f7a-1b2c3d4e5f02"


def untimed(raw: dict[str, Any], *indexes: int) -> dict[str, Any]:
    for i in indexes:
        raw["sessions"][i]["startDateTime"] = raw["sessions"][i]["endDateTime"] = None
        for segment in raw["sessions"][i].get("segments") or []:
            segment["startDateTime"] = segment["endDateTime"] = None
    return raw


def test_a_record_without_sessions_has_outcome_unknown_but_keeps_its_duration(policy):
    raw = load("cq_answered_real")
    raw["sessions"] = []
    ev = event(raw, policy)
    assert ev.outcome is Outcome.UNKNOWN and ev.agent is None
    assert ev.duration_seconds == 400 and ev.ended_at is not None  # 09:12:03 -> 09:18:43, from the record


def test_a_record_whose_sessions_have_no_times_has_outcome_unknown(policy):
    raw = untimed(load("cq_answered_real"), *range(len(load("cq_answered_real")["sessions"])))
    ev = event(raw, policy)
    assert ev.outcome is Outcome.UNKNOWN and ev.citizen.phone == CITIZEN


def test_an_answer_shown_with_times_is_stated_even_when_other_sessions_lack_times(policy):
    raw = load("cq_answered_real")
    untimed(raw, 2)  # An's ring lost its times; Pieter's answered leg still has them
    ev = event(raw, policy)
    assert ev.outcome is Outcome.ANSWERED and ev.agent.id == PIETER


def test_no_answer_with_an_untimed_session_is_unknown_not_missed(policy):
    raw = load("cq_answered_real")
    raw["sessions"] = [s for s in raw["sessions"] if "Pieter" not in str(s)]
    assert event(copy.deepcopy(raw), policy).outcome is Outcome.MISSED  # all timed: An's ring is evidence
    untimed(raw, 0)
    assert event(raw, policy).outcome is Outcome.UNKNOWN  # that session may hold the answer


def test_a_session_ending_before_it_starts_contradicts_the_record_and_proves_nothing(policy):
    raw = load("cq_answered_real")
    last = raw["sessions"][3]
    last["startDateTime"], last["endDateTime"] = last["endDateTime"], last["startDateTime"]
    assert event(raw, policy).outcome is Outcome.UNKNOWN


def test_abandoned_needs_a_queue_or_attendant_session_that_ended(policy):
    assert event("aa_abandoned", policy).outcome is Outcome.ABANDONED
    raw = load("aa_abandoned")
    for s in raw["sessions"]:
        callee = s.get("callee") or {}
        if (callee.get("userAgent") or {}).get("role"):
            callee["userAgent"]["role"] = None
    result = _maybe_skip(raw, policy)  # without the attendant's role nothing shows the caller waited there
    assert result is SkipReason.BOT_ONLY_CALL or result.outcome is Outcome.UNKNOWN


def _maybe_skip(raw, policy):
    from handlers.calls import normalize_call
    from handlers.skips import Skip
    from schemas.graph_callrecord import parse_call_record
    from tests.fixtures.calls import CAPTURED_AT

    result = normalize_call(parse_call_record(raw), policy=policy, captured_at=CAPTURED_AT)
    return result.reason if isinstance(result, Skip) else result


def test_an_outbound_call_without_sessions_has_outcome_unknown(policy):
    raw = load("outbound_agent")
    raw["sessions"] = []
    ev = event(raw, policy)
    assert ev.direction is Direction.OUTBOUND and ev.outcome is Outcome.UNKNOWN


def _foreign(raw: dict[str, Any], user_id: str) -> dict[str, Any]:
    """Mark `user_id` as a user of another tenant wherever the record carries its tenant."""

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("id") == user_id and "tenantId" in node:
                node["tenantId"] = OTHER_TENANT
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(raw)
    raw.setdefault("participants_v2", []).append(
        {
            "id": user_id,
            "identity": {"user": {"id": user_id, "displayName": "Iemand Anders", "tenantId": OTHER_TENANT}},
        }
    )
    return raw


def test_a_teams_user_of_another_tenant_is_never_the_colleague_who_answered(policy):
    raw = _foreign(load("cq_answered_real"), PIETER)
    ev = event(raw, policy)
    assert ev.agent is None or ev.agent.id != PIETER


def test_a_call_among_colleagues_and_another_tenants_user_only_is_no_pstn_party(policy):
    raw = load("internal_p2p")
    users = [p["id"] for p in raw.get("participants_v2", []) if (p.get("identity") or {}).get("user")]
    assert users, "the fixture has colleagues"
    assert skip_reason(raw, policy) is SkipReason.INTERNAL_CALL
    assert skip_reason(_foreign(raw, users[-1]), policy) is SkipReason.NO_PSTN_PARTY


def test_a_guest_who_reached_a_policy_queue_is_a_contact_with_an_anonymous_citizen(policy):
    raw = load("cq_answered_real")
    guest = {
        "id": "teamsvisitor:4f2a",
        "identity": {"user": {"id": "teamsvisitor:4f2a", "displayName": None}},
    }
    raw["organizer_v2"] = guest
    raw["participants_v2"] = [guest] + [p for p in raw["participants_v2"] if not str(p["id"]).startswith("+")]
    for s in raw["sessions"]:
        for side in ("caller", "callee"):
            ident = (s.get(side) or {}).get("identity") or {}
            if ident.get("phone"):
                s[side]["identity"] = {"user": {"id": "teamsvisitor:4f2a", "displayName": None}}
    ev = event(raw, policy)
    assert ev.citizen is None and ev.departments == ("Burgerzaken",)


def test_a_guest_call_no_policy_queue_took_is_skipped_as_no_pstn_party(policy):
    raw = load("internal_p2p")
    raw["participants_v2"].append({"id": "teamsvisitor:77", "identity": {"user": {"id": "teamsvisitor:77"}}})
    assert skip_reason(raw, policy) is SkipReason.NO_PSTN_PARTY


@pytest.mark.parametrize("upn", ["gast_example.org#EXT#@stad.onmicrosoft.com"])
def test_a_guest_account_in_the_citys_own_directory_is_an_outsider(policy, upn):
    raw = load("internal_p2p")
    guest_id = "a7c1e2d3-00ee-4b5c-9d8e-1f2a3b4c5dee"
    raw["participants_v2"].append(
        {
            "id": guest_id,
            "identity": {
                "user": {
                    "id": guest_id,
                    "displayName": "Gast",
                    "userPrincipalName": upn,
                    "tenantId": policy.tenant.id,
                }
            },
        }
    )
    assert skip_reason(raw, policy) is SkipReason.NO_PSTN_PARTY
    assert AN  # the colleagues stay colleagues: see the internal call above
