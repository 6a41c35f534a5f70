"""Every payload of the outside corpus (tests/fixtures/real) becomes what EXPECTED.yaml says a city expects.

Run through `loket normalize` itself, so the command operators use is what is checked: a skip's reason, the
contact event's fields, what the webhook would enqueue and what it tolerated, or a one-line error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"
EXPECTED: dict[str, dict] = yaml.safe_load((REAL / "EXPECTED.yaml").read_text(encoding="utf-8"))
CHANNEL = {"mail": "mail", "calls": "phone", "pstn": "phone", "notifications": "notification"}


@pytest.fixture(scope="module")
def loket():
    from cli import main

    if not any(group.name == "normalize" for group in main.app.registered_groups):
        main._register()
    return main.app


def normalize(app, name: str):
    command = CHANNEL[name.split("/", 1)[0]]
    args = ["normalize", command, str(REAL / name)]
    if command == "mail":
        args += ["--mailbox", "info@stad.example"]
    return CliRunner().invoke(app, args)


def test_the_corpus_holds_at_least_twenty_files_from_six_projects_and_each_has_an_expectation():
    files = {str(p.relative_to(REAL)) for p in REAL.rglob("*.json")}
    assert files == set(EXPECTED), "every file needs an expectation and every expectation a file"
    assert len(files) >= 20
    readme = (REAL / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme or f"`{name.rsplit('_', 1)[0]}" in readme for name in files)
    sources = [line.split("|")[2].strip() for line in readme.splitlines() if line.startswith("| `")]
    projects = {m.group(0) for s in sources if (m := re.match(r"^[\w.-]+/[\w.-]+(?= )", s))}
    assert len(projects) >= 6, projects


def _assert_event(event: dict, want: dict) -> None:
    if "direction" in want:
        assert event["direction"] == want["direction"]
    if "outcome" in want:
        assert event["outcome"] == want["outcome"]
    if "citizen_email" in want:
        assert event["citizen"]["email"] == want["citizen_email"]
    if "citizen_phone" in want:
        assert event["citizen"]["phone"] == want["citizen_phone"]
    if "departments" in want:
        assert event["departments"] == want["departments"]
    if "duration_seconds" in want:
        assert event["duration_seconds"] == want["duration_seconds"]
    if "agent" in want:
        assert event["agent"] == want["agent"]


def _assert_routing(out: dict, want: dict) -> None:
    queued = out["enqueue"]
    assert len(queued) == len(want["enqueue"]), out
    for got, expected in zip(queued, want["enqueue"], strict=True):
        assert got["queue"] == {"mail": "mail-notifications", "call": "call-notifications"}[expected["queue"]]
        for key in ("call_record_id", "message_id"):
            if key in expected:
                assert got["body"][key] == expected[key]
    tolerated = sorted(t for item in out.get("tolerated", []) for t in item["oddities"])
    assert tolerated == sorted(want.get("tolerated", []))
    assert out["ignored"] == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_real_payload_becomes_what_a_city_would_expect(loket, name):
    want = EXPECTED[name]["expect"]
    result = normalize(loket, name)
    if "error" in want:
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("loket: ") and result.stderr.count("\n") == 1
        assert "Traceback" not in result.output
        for words in want["error"]:
            assert words in result.stderr, result.stderr
        return
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    if "skipped" in want:
        assert out == {"skipped": want["skipped"]}
    elif "event" in want:
        assert "skipped" not in out, out
        _assert_event(out, want["event"])
    else:
        _assert_routing(out, want)
