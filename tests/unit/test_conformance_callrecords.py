"""Microsoft's documented call-record payloads (shared conformance corpus) are handled as MANIFEST.md says."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli.normalize_phone import register
from errors import PermanentError
from handlers.call_facts import call_facts
from handlers.call_outcome import answered_by
from handlers.call_parties import Kind, distinct_people, listed_parties, organizer_party, pstn_row_caller_e164
from handlers.calls import normalize_call
from handlers.identity import normalise_phone
from handlers.skips import Skip, SkipReason
from schemas.contact_event import ContactEvent, Direction, Outcome
from schemas.graph_callrecord import parse_call_record, parse_participants_page
from schemas.graph_pstn_log import parse_pstn_call_log_page
from tests.fixtures.calls import CAPTURED_AT

RECORDS = [
    "callrecord_get_basic_v2",
    "callrecord_get_sessions_segments_v2",
    "callrecord_get_participants_v2_expanded",
    "callrecord_get_full_legacy",
]
ABBIE = "821809f5-0000-0000-0000-3b5136c0e777"
OWEN = "f69e2c00-0000-0000-0000-185e5f5f5d8a"
UTC = dt.UTC


DOCS_TENANT = "dc368399-474c-4d40-900c-6265431fd81f"  # the tenant the documented records belong to


@pytest.fixture
def policy(policy):
    """The sample policy as the documented tenant's own: its users are colleagues, not outsiders."""
    return policy.model_copy(update={"tenant": policy.tenant.model_copy(update={"id": DOCS_TENANT})})


def corpus(conformance_dir: Path, name: str) -> dict:
    return json.loads((conformance_dir / f"{name}.json").read_text(encoding="utf-8"))


def test_every_callrecord_file_of_the_corpus_is_covered_here(conformance_dir) -> None:
    assert sorted(p.stem for p in conformance_dir.glob("callrecord_*.json")) == sorted(
        RECORDS + ["callrecord_list_participants_v2_page"]
    )


@pytest.mark.parametrize("name", RECORDS)
def test_the_documented_record_keeps_its_common_facts(conformance_dir, name) -> None:
    record = parse_call_record(corpus(conformance_dir, name))
    assert (record.id, record.version, record.type) == (
        "e523d2ed-2966-4b6b-925b-754a88034cc5",
        1,
        "peerToPeer",
    )
    assert record.modalities == ("audio",)
    assert record.start_date_time == dt.datetime(2020, 2, 25, 18, 52, 21, 216988, tzinfo=UTC)
    assert record.end_date_time == dt.datetime(2020, 2, 25, 18, 52, 46, 764001, tzinfo=UTC)
    assert record.last_modified_date_time == dt.datetime(2020, 2, 25, 19, 0, 24, 582757, tzinfo=UTC)
    organizer = organizer_party(record)
    assert (organizer.kind, organizer.key, organizer.display_name) == (Kind.PERSON, ABBIE, "Abbie Wilkins")


@pytest.mark.parametrize("name", RECORDS)
def test_the_abbie_owen_peer_to_peer_call_is_skipped_as_internal(conformance_dir, policy, name) -> None:
    result = normalize_call(
        parse_call_record(corpus(conformance_dir, name)), policy=policy, captured_at=CAPTURED_AT
    )
    assert isinstance(result, Skip) and result.reason is SkipReason.INTERNAL_CALL


@pytest.mark.parametrize("name", ["callrecord_get_sessions_segments_v2", "callrecord_get_full_legacy"])
def test_owen_answered_the_connected_session_whether_under_identity_or_associated_identity(
    conformance_dir, policy, name
) -> None:
    record = parse_call_record(corpus(conformance_dir, name))
    assert record.sessions_next_link is not None  # the docs' page is not the whole call
    taker = answered_by(call_facts(record, policy))
    assert taker is not None and (taker.key, taker.display_name) == (OWEN, "Owen Franklin")


def test_answered_by_is_undetermined_without_sessions(conformance_dir, policy) -> None:
    for name in ("callrecord_get_basic_v2", "callrecord_get_participants_v2_expanded"):
        assert answered_by(call_facts(parse_call_record(corpus(conformance_dir, name)), policy)) is None


def test_the_documented_call_with_a_pstn_caller_becomes_an_answered_contact_of_25_seconds(
    conformance_dir, policy
) -> None:
    raw = corpus(conformance_dir, "callrecord_get_sessions_segments_v2")
    raw["organizer_v2"] = {"id": "+3211432211", "identity": {"phone": {"id": "+3211432211"}}}
    raw["sessions"][0]["caller"]["associatedIdentity"] = {"id": "+3211432211"}
    ev = normalize_call(parse_call_record(raw), policy=policy, captured_at=CAPTURED_AT)
    assert isinstance(ev, ContactEvent)
    assert (ev.direction, ev.outcome, ev.duration_seconds) == (Direction.INBOUND, Outcome.ANSWERED, 25)
    assert ev.occurred_at == dt.datetime(2020, 2, 25, 18, 52, 21, 216988, tzinfo=UTC)
    assert ev.agent is not None and (ev.agent.id, ev.agent.upn) == (OWEN, "owen.franklin@contoso.com")


def test_participants_with_a_repeated_entry_id_are_two_people(conformance_dir) -> None:
    record = parse_call_record(corpus(conformance_dir, "callrecord_get_participants_v2_expanded"))
    parties = listed_parties(record)
    assert distinct_people(parties) == {("person", ABBIE), ("person", OWEN)}
    assert {p.upn for p in parties} == {"abbie.wilkins@contoso.com", "owen.franklin@contoso.com"}
    assert record.participants_next_link is not None


def test_the_legacy_participants_list_gives_the_same_two_people(conformance_dir) -> None:
    record = parse_call_record(corpus(conformance_dir, "callrecord_get_full_legacy"))
    assert distinct_people(listed_parties(record)) == {("person", ABBIE), ("person", OWEN)}


def test_the_participants_page_has_two_people_and_no_phone_party(conformance_dir, policy) -> None:
    raw = corpus(conformance_dir, "callrecord_list_participants_v2_page")
    with pytest.raises(PermanentError, match="given a participants_v2 page .*expected a callRecord"):
        parse_call_record(raw)
    page = parse_participants_page(raw)
    assert page.next_link is not None
    assert {(p.identity.user.id, p.identity.user.display_name) for p in page.value} == {
        ("00005994-851d-4988-bbc3-413bbf089e13", "Anette Thomsen"),
        ("13fd6bf0-f646-4b82-b0ad-cd28ce10d6e3", "Daichi Maruyama"),
    }
    base = parse_call_record(corpus(conformance_dir, "callrecord_get_basic_v2"))
    merged = base.with_participants(page)
    assert all(p.kind is Kind.PERSON for p in listed_parties(merged))
    result = normalize_call(merged, policy=policy, captured_at=CAPTURED_AT)
    assert isinstance(result, Skip) and result.reason is SkipReason.INTERNAL_CALL


def test_the_invalid_pstn_log_number_is_never_taken_for_a_valid_one(conformance_dir, policy) -> None:
    raw = json.loads((conformance_dir / "pstn_calls_page.json").read_text(encoding="utf-8"))
    with pytest.raises(PermanentError, match="given a PSTN call-log page .*expected a callRecord"):
        parse_call_record(raw)
    (row,) = parse_pstn_call_log_page(raw).value
    assert (row.caller_number, row.call_type, row.duration) == ("+0123456789", "user_in", 219)
    assert pstn_row_caller_e164(row) is None and normalise_phone(row.callee_number) is None
    fake = corpus(conformance_dir, "callrecord_get_sessions_segments_v2")
    fake["organizer_v2"] = {"id": row.caller_number, "identity": {"phone": {"id": row.caller_number}}}
    ev = normalize_call(parse_call_record(fake), policy=policy, captured_at=CAPTURED_AT)
    assert isinstance(ev, ContactEvent) and ev.citizen is None  # a PSTN caller, but no stored number


def _cli() -> typer.Typer:
    root, normalize = typer.Typer(), typer.Typer()
    register(normalize)
    root.add_typer(normalize, name="normalize")
    return root


def test_no_file_of_the_corpus_gives_a_traceback_on_the_phone_command(conformance_dir) -> None:
    runner = CliRunner()
    for path in sorted(conformance_dir.iterdir()):
        if path.suffix not in (".json", ".txt"):
            continue
        result = runner.invoke(_cli(), ["normalize", "phone", str(path)])
        assert result.exit_code in (0, 1), (path.name, result.output)
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
            path.name
        )
        assert "Traceback" not in result.output + result.stderr, path.name
        if result.exit_code == 1:
            assert len(result.stderr.strip().splitlines()) == 1 and path.name in result.stderr, path.name
        elif path.name.startswith("callrecord_get"):  # the sample city's policy: another tenant's users
            assert json.loads(result.stdout) == {"skipped": "no_pstn_party"}
