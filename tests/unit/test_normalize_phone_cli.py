"""`loket normalize phone FILE`: the event or the skip as JSON; a bad file is one line and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from cli.normalize_phone import register
from handlers.event_ids import phone_event_id
from tests.fixtures.calls import CALL_FIXTURES, CITIZEN, PIETER, load

runner = CliRunner()


def loket(*args: str):
    root, normalize = typer.Typer(), typer.Typer()
    register(normalize)
    root.add_typer(normalize, name="normalize")
    return runner.invoke(root, ["normalize", "phone", *args])


def test_an_answered_queue_call_prints_its_contact_event() -> None:
    result = loket(str(CALL_FIXTURES / "cq_answered_real.json"))
    assert result.exit_code == 0, result.stderr
    event = json.loads(result.stdout)
    assert event["event_id"] == str(phone_event_id(load("cq_answered_real")["id"]))
    assert (event["channel"], event["outcome"], event["citizen"]["phone"]) == ("phone", "answered", CITIZEN)
    assert event["agent"]["id"] == PIETER and event["departments"] == ["Burgerzaken"]


def test_an_internal_call_prints_the_skip_reason() -> None:
    result = loket(str(CALL_FIXTURES / "internal_p2p.json"))
    assert result.exit_code == 0 and json.loads(result.stdout) == {"skipped": "internal_call"}


def test_the_policy_option_changes_the_department(tmp_path: Path) -> None:
    from settings import SAMPLE_POLICY

    other = tmp_path / "other.yaml"
    other.write_text(
        SAMPLE_POLICY.read_text(encoding="utf-8").replace(
            "name: Burgerzaken CQ\n    department: Burgerzaken", "name: Burgerzaken CQ\n    department: Loket"
        )
    )
    result = loket(str(CALL_FIXTURES / "cq_answered_real.json"), "--policy", str(other))
    assert result.exit_code == 0 and json.loads(result.stdout)["departments"] == ["Loket"]


def test_malformed_json_is_one_line_naming_the_problem_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "call.json"
    bad.write_text('{"id": "x", "organizer_v2": {"id": "+32475123456"', encoding="utf-8")
    result = loket(str(bad))
    assert result.exit_code == 1 and result.stdout == ""
    assert (
        result.stderr.count("\n") == 1 and "not valid JSON" in result.stderr and "call.json" in result.stderr
    )
    assert "+32475123456" not in result.stderr and "Traceback" not in result.stderr


def test_a_record_with_a_bad_field_names_the_field_and_never_the_number(tmp_path: Path) -> None:
    raw = load("cq_answered_real")
    raw["startDateTime"] = CITIZEN
    bad = tmp_path / "call.json"
    bad.write_text(json.dumps(raw), encoding="utf-8")
    result = loket(str(bad))
    assert result.exit_code == 1 and "startDateTime" in result.stderr and CITIZEN not in result.stderr


def test_a_missing_file_or_policy_is_one_line_and_exit_1(tmp_path: Path) -> None:
    missing = loket(str(tmp_path / "nope.json"))
    assert missing.exit_code == 1 and "nope.json" in missing.stderr and missing.stderr.count("\n") == 1
    no_policy = loket(str(CALL_FIXTURES / "cq_missed.json"), "--policy", str(tmp_path / "nope.yaml"))
    assert no_policy.exit_code == 1 and "CAPTURE_POLICY_PATH" in no_policy.stderr


def test_a_file_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "call.json"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    result = loket(str(bad))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
