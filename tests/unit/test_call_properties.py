"""Properties of the phone normaliser: the contact does not depend on how Graph spells the record."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.calls import normalize_call
from handlers.skips import Skip
from schemas.capture_policy import load_policy
from schemas.contact_event import ContactEvent
from schemas.graph_callrecord import parse_call_record
from settings import SAMPLE_POLICY
from tests.fixtures.calls import CAPTURED_AT, CITIZEN, load, names

POLICY = load_policy(SAMPLE_POLICY)
FIXTURES = names()
PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# 011 43 22 11 in the forms people, PBXs and Direct Routing SBCs write it.
CITIZEN_FORMS = [
    "011 43 22 11",
    "+32 11 43 22 11",
    "0032 11 43 22 11",
    "003211432211",
    "+32 (0)11 43 22 11",
    "011/43.22.11",
    "+32-11-43-22-11",
    CITIZEN,
]


def outcome(raw: dict[str, Any]) -> ContactEvent | Skip:
    return normalize_call(parse_call_record(raw), policy=POLICY, captured_at=CAPTURED_AT)


def walk(node: Any, visit) -> Any:
    """Rebuild a JSON tree bottom-up, letting `visit` replace each dict."""
    if isinstance(node, dict):
        return visit({k: walk(v, visit) for k, v in node.items()})
    if isinstance(node, list):
        return [walk(v, visit) for v in node]
    return node


@PROPS
@given(
    name=st.sampled_from(FIXTURES), forms=st.lists(st.sampled_from(CITIZEN_FORMS), min_size=12, max_size=12)
)
def test_the_callers_number_format_does_not_change_the_contact(name, forms) -> None:
    pool = iter(forms * 10)

    def reformat(d: dict) -> dict:
        return {k: (next(pool) if k == "id" and v == CITIZEN else v) for k, v in d.items()}

    raw = load(name)
    assert outcome(walk(raw, reformat)) == outcome(raw)


@PROPS
@given(
    name=st.sampled_from(FIXTURES),
    rng=st.randoms(use_true_random=False),
    value=st.from_type(int) | st.text(max_size=8) | st.none(),
)
def test_unknown_fields_anywhere_do_not_change_the_contact(name, rng, value) -> None:

    def add(d: dict) -> dict:
        return {**d, f"x{rng.randrange(10**6)}Extra": value} if rng.random() < 0.5 else d

    raw = load(name)
    assert outcome(walk(raw, add)) == outcome(raw)


@PROPS
@given(name=st.sampled_from(FIXTURES), rng=st.randoms(use_true_random=False))
def test_odata_type_casing_does_not_change_the_contact(name, rng) -> None:

    def recase(d: dict) -> dict:
        t = d.get("@odata.type")
        if not isinstance(t, str):
            return d
        return {**d, "@odata.type": "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in t)}

    raw = load(name)
    assert outcome(walk(raw, recase)) == outcome(raw)


@PROPS
@given(name=st.sampled_from(FIXTURES), rng=st.randoms(use_true_random=False))
def test_the_order_of_participants_and_sessions_does_not_change_the_contact(name, rng) -> None:
    raw = load(name)
    shuffled = json.loads(json.dumps(raw))
    for key in ("participants_v2", "sessions"):
        rng.shuffle(shuffled.get(key) or [])
    assert outcome(shuffled) == outcome(raw)


def _untyped(d: dict) -> dict:
    """`{"user": {...}}` / `{"phone": {...}}` as untyped identities: `{id, displayName}` on the set."""
    for key in ("user", "phone"):
        inner = d.get(key)
        if (
            isinstance(inner, dict)
            and "id" in inner
            and all(d.get(k) is None for k in d if k not in (key, "@odata.type"))
        ):
            return {"id": inner["id"], "displayName": inner.get("displayName")}
    return d


@PROPS
@given(name=st.sampled_from(FIXTURES), rng=st.randoms(use_true_random=False))
def test_typed_and_untyped_identities_give_the_same_contact(name, rng) -> None:
    raw = load(name)

    def maybe_untype(d: dict) -> dict:
        return {
            k: (_untyped(v) if k == "identity" and isinstance(v, dict) and rng.random() < 0.7 else v)
            for k, v in d.items()
        }

    assert outcome(walk(raw, maybe_untype)) == outcome(raw)


@PROPS
@given(
    ids=st.lists(
        st.uuids().map(str) | st.text(min_size=1, max_size=40).filter(str.strip),
        min_size=2,
        max_size=6,
        unique=True,
    )
)
def test_distinct_record_ids_give_distinct_event_ids(ids) -> None:
    events = []
    for record_id in ids:
        raw = load("cq_answered_real")
        raw["id"] = record_id
        result = outcome(raw)
        assert isinstance(result, ContactEvent)
        events.append(result.event_id)
    assert len(set(events)) == len(ids)
