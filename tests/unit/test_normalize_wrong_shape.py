"""`loket normalize …` given the wrong kind of payload says what it was given and what it expected: exit 1,
one line, no traceback (issue #14, item 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MESSAGE = json.loads((FIXTURES / "mail" / "message_citizen_inbound.json").read_text(encoding="utf-8"))
RECORD = json.loads((FIXTURES / "calls" / "cq_answered_real.json").read_text(encoding="utf-8"))
NOTIFICATION = json.loads((FIXTURES / "mail" / "notification_mail_basic.json").read_text(encoding="utf-8"))
DELTA = json.loads((FIXTURES / "mail" / "delta_page_new_and_removed.json").read_text(encoding="utf-8"))
PSTN_ROW = {
    "id": "r1",
    "callId": "c1",
    "callerNumber": "+32475000123",
    "calleeNumber": "+3211430000",
    "callType": "ucap_in",
    "startDateTime": "2025-03-10T08:00:00Z",
    "endDateTime": "2025-03-10T08:01:00Z",
}
SHAPES = {
    "a delta page": DELTA,
    "a list page": {"value": [RECORD]},
    "a JSON $batch": {"responses": [{"id": "1", "status": 200, "body": MESSAGE}]},
    "a callRecord": RECORD,
    "a Graph message": MESSAGE,
    "a change-notification POST body": NOTIFICATION,
    "a single change notification": NOTIFICATION["value"][0],
    "a PSTN call-log row": PSTN_ROW,
    "a PSTN call-log page": {"value": [PSTN_ROW]},
    "a scan sidecar": {
        "received_at": "2025-03-10T08:00:00Z",
        "tray": "onthaal",
        "sender": {"name": "J. Peeters"},
    },
}
EXPECTS = {
    "mail": "expected a Graph message",
    "phone": "expected a callRecord",
    "notification": "expected a change-notification POST body",
    "post": "expected a scanned letter (PDF)",
}
OWN = {"mail": "a Graph message", "phone": "a callRecord", "notification": "a change-notification POST body"}


@pytest.fixture(scope="module")
def loket():
    from cli import main

    if not any(group.name == "normalize" for group in main.app.registered_groups):
        main._register()
    return main.app


@pytest.mark.parametrize(
    ("command", "given"),
    [(c, g) for c in sorted(EXPECTS) for g in sorted(SHAPES) if OWN.get(c) != g],  # every other shape
)
def test_a_payload_of_another_shape_is_named_with_what_was_expected(loket, tmp_path, command, given):
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(SHAPES[given]), encoding="utf-8")
    args = ["normalize", command, str(path)] + (
        ["--mailbox", "info@stad.example"] if command == "mail" else []
    )
    result = CliRunner().invoke(loket, args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("loket: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.output
    assert f"given {given}" in result.stderr and EXPECTS[command] in result.stderr, result.stderr
    assert "+32475000123" not in result.stderr  # the shape is named, never a value


def test_a_pstn_call_log_row_is_refused_not_skipped_as_a_bot_call(policy):
    from errors import PermanentError
    from schemas.graph_callrecord import parse_call_record

    with pytest.raises(PermanentError, match="PSTN call-log row"):
        parse_call_record(PSTN_ROW)
    with pytest.raises(PermanentError, match="PSTN call-log page"):
        parse_call_record(
            {
                "@odata.context": "…/$metadata#Collection(microsoft.graph.callRecords.pstnCallLogRow)",
                "value": [],
            }
        )
