"""`loket normalize mail|notification`: JSON for a payload, a one-line error and exit 1 for a bad file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from handlers.event_ids import mail_event_id
from settings import PROJECT_ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"


@pytest.fixture(scope="module")
def loket():
    from cli import main

    if not any(group.name == "normalize" for group in main.app.registered_groups):
        main._register()
    return main.app


def invoke(app, *args: str):
    return CliRunner().invoke(app, ["normalize", *args])


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("loket: ") and result.stderr.count("\n") == 1
    return result.stderr


def test_the_mailbox_comes_from_odata_context_and_one_event_prints_as_an_object(loket):
    result = invoke(loket, "mail", str(FIXTURES / "message_citizen_inbound.json"))
    assert result.exit_code == 0, result.stderr
    event = json.loads(result.stdout)
    assert event["event_id"] == str(mail_event_id("<CAF3xq9T2mE1Lw8k@mail.gmail.com>"))
    assert event["source"]["mailboxes"] == ["burgerzaken@stad.example"]


def test_several_events_print_as_an_array(loket):
    sent = FIXTURES / "message_sent_two_recipients.json"
    result = invoke(loket, "mail", str(sent), "--folder", "sentitems")
    assert result.exit_code == 0, result.stderr
    assert [e["direction"] for e in json.loads(result.stdout)] == ["outbound", "outbound"]


def test_a_skip_prints_its_reason(loket):
    result = invoke(loket, "mail", str(FIXTURES / "message_citizen_inbound.json"), "--folder", "Drafts")
    assert result.exit_code == 0 and json.loads(result.stdout) == {"skipped": "draft"}


def test_another_policy_file_is_used_when_given(loket, tmp_path):
    policy = (PROJECT_ROOT / "policy" / "stad.example.yaml").read_text(encoding="utf-8")
    custom = tmp_path / "policy.yaml"
    custom.write_text(policy.replace("keep_junk: false", "keep_junk: true"), encoding="utf-8")
    args = ("mail", str(FIXTURES / "message_citizen_inbound.json"), "--folder", "junkemail")
    assert json.loads(invoke(loket, *args).stdout) == {"skipped": "junk"}
    assert json.loads(invoke(loket, *args, "--policy", str(custom)).stdout)["direction"] == "inbound"


def test_a_file_naming_no_policy_mailbox_needs_mailbox(loket, tmp_path):
    message = json.loads((FIXTURES / "message_citizen_inbound.json").read_text(encoding="utf-8"))
    message["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#message"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(message), encoding="utf-8")
    assert "--mailbox" in one_line_error(invoke(loket, "mail", str(path)))
    assert invoke(loket, "mail", str(path), "--mailbox", "info@stad.example").exit_code == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b'{"id": ', "not valid JSON"), (b"\xff\xfe", "not UTF-8"), (b'"a string"', "not a JSON object"),
     (b'{"toRecipients": "Els.VandenBroeck@telenet.be"}', "toRecipients")],
)
def test_a_malformed_message_file_is_one_line_naming_the_problem_not_the_content(
    loket, tmp_path, content, problem
):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    error = one_line_error(invoke(loket, "mail", str(path), "--mailbox", "info@stad.example"))
    assert problem in error and "telenet" not in error


def test_a_missing_file_or_policy_is_one_line(loket, tmp_path):
    assert "cannot read" in one_line_error(invoke(loket, "mail", str(tmp_path / "none.json")))
    args = ("mail", str(FIXTURES / "message_citizen_inbound.json"), "--policy", str(tmp_path / "none.yaml"))
    assert "CAPTURE_POLICY_PATH" in one_line_error(invoke(loket, *args))


def test_an_unknown_folder_is_a_usage_error(loket):
    result = invoke(loket, "mail", str(FIXTURES / "message_citizen_inbound.json"), "--folder", "prullenbak")
    assert result.exit_code == 2 and "--folder" in result.stderr


def test_the_notification_command_prints_queue_message_id_and_body(loket):
    result = invoke(loket, "notification", str(FIXTURES / "notification_call_batch.json"))
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    assert [q["queue"] for q in printed["enqueue"]] == ["call-notifications"] * 2
    assert all(len(q["message_id"]) == 64 and q["scheduled_at"] for q in printed["enqueue"])
    assert printed["enqueue"][0]["body"]["call_record_id"] == "f1b9165f-9147-42a1-8c80-f8da38e3ba55"
    assert printed["ignored"] == []


def test_the_notification_command_uses_the_queue_name_settings(loket):
    args = ["normalize", "notification", str(FIXTURES / "notification_mail_basic.json")]
    result = CliRunner().invoke(loket, args, env={"MAIL_NOTIFICATIONS_QUEUE": "mail-test"})
    assert json.loads(result.stdout)["enqueue"][0]["queue"] == "mail-test"


def test_the_notification_command_rejects_a_body_that_is_not_a_collection(loket, tmp_path):
    path = tmp_path / "n.json"
    path.write_text('{"value": 1}', encoding="utf-8")
    assert "collection" in one_line_error(invoke(loket, "notification", str(path)))


def test_the_installed_command_never_prints_a_traceback(tmp_path):
    loket = Path(sys.executable).with_name("loket")
    if not loket.exists():
        pytest.skip("the loket console script is not installed in this environment")
    path = tmp_path / "bad.json"
    path.write_text("{", encoding="utf-8")
    for command in (["mail", "--mailbox", "info@stad.example"], ["notification"]):
        done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
            [str(loket), "normalize", *command, str(path)],
            capture_output=True, text=True, timeout=60, check=False,
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("loket: ") and done.stderr.count("\n") == 1
