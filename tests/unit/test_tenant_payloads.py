"""Every payload the simulated tenant serves parses with msgraph-sdk's own models, fields intact.

The tenant must speak Graph's documented shapes, not Loket's assumptions, so its answers are read
back through kiota's JsonParseNodeFactory into the SDK models (as the conformance corpus's
check_parse.py does) and fields are compared with the raw JSON: a silent drop into
`additional_data` or a mistyped value fails here.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
from msgraph.generated.models.call_records.call_record import CallRecord
from msgraph.generated.models.call_records.call_record_collection_response import (
    CallRecordCollectionResponse,
)
from msgraph.generated.models.call_records.participant_collection_response import (
    ParticipantCollectionResponse,
)
from msgraph.generated.models.call_records.session_collection_response import SessionCollectionResponse
from msgraph.generated.models.mail_folder import MailFolder
from msgraph.generated.models.message import Message
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.generated.models.subscription import Subscription
from msgraph.generated.models.subscription_collection_response import SubscriptionCollectionResponse
from msgraph.generated.users.item.mail_folders.item.messages.delta.delta_get_response import (
    DeltaGetResponse,
)

from devhost.tenant.app import build_app
from settings import PROJECT_ROOT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tenant"
MAILBOX = "burgerzaken@stad.example"
RECORDS = ("callrecord_documented_cq.json", "callrecord_real_layout_cq.json")


def parse(raw: dict, model):
    node = JsonParseNodeFactory().get_root_parse_node("application/json", json.dumps(raw).encode())
    return node.get_object_value(model)


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


async def _echo(request: httpx.Request) -> httpx.Response:
    token = request.url.params.get("validationToken")
    if token is not None:
        return httpx.Response(200, text=token, headers={"content-type": "text/plain"})
    return httpx.Response(202)


def served(tmp_path: Path) -> dict[str, dict]:
    """Drive the tenant in-process and collect one answer of every Graph route it serves."""

    async def run() -> dict[str, dict]:
        loket = httpx.AsyncClient(transport=httpx.MockTransport(_echo))
        app = build_app(tmp_path, http_client=loket)
        out: dict[str, dict] = {}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            made = (
                await c.post(
                    f"/_sim/mailboxes/{MAILBOX}/messages",
                    json={"folder": "inbox", "message": fixture("message_citizen.json")},
                )
            ).json()
            out["message"] = (await c.get(f"/v1.0/users/{MAILBOX}/messages/{made['id']}")).json()
            select = "id,subject,from,internetMessageHeaders,receivedDateTime,parentFolderId"
            out["message_select"] = (
                await c.get(f"/v1.0/users/{MAILBOX}/messages/{made['id']}", params={"$select": select})
            ).json()
            out["folder"] = (await c.get(f"/v1.0/users/{MAILBOX}/mailFolders/inbox")).json()
            out["delta"] = (await c.get(f"/v1.0/users/{MAILBOX}/mailFolders/inbox/messages/delta()")).json()
            for name in RECORDS:
                rec = fixture(name)
                await c.post(
                    "/_sim/callRecords",
                    json={"record": rec, "options": {"pageSize": {"sessions": 2, "participants_v2": 2}}},
                )
                expand = {"$expand": "sessions($expand=segments),participants_v2"}
                out[name] = (
                    await c.get(f"/v1.0/communications/callRecords/{rec['id']}", params=expand)
                ).json()
                out[f"{name}:plain"] = (await c.get(f"/v1.0/communications/callRecords/{rec['id']}")).json()
                for prop in ("sessions", "participants_v2"):
                    link = out[name][f"{prop}@odata.nextLink"].replace("http://t", "")
                    out[f"{name}:{prop}"] = (await c.get(link)).json()
            out["list"] = (
                await c.get(
                    "/v1.0/communications/callRecords",
                    params={
                        "$filter": "startDateTime ge 2025-01-01T00:00:00Z "
                        "and startDateTime lt 2027-01-01T00:00:00Z"
                    },
                )
            ).json()
            expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
            out["subscription"] = (
                await c.post(
                    "/v1.0/subscriptions",
                    json={
                        "changeType": "created",
                        "notificationUrl": "http://loket/n",
                        "resource": f"users/{MAILBOX}/messages",
                        "expirationDateTime": expires,
                        "clientState": "state",
                    },
                )
            ).json()
            out["subscriptions"] = (await c.get("/v1.0/subscriptions")).json()
            out["error"] = (await c.get(f"/v1.0/users/{MAILBOX}/messages/AAMkMissing=")).json()
        await loket.aclose()
        app.state.store.close()
        return out

    return asyncio.run(run())


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    return served(tmp_path_factory.mktemp("tenant"))


def _email(recipient) -> str | None:
    return recipient.email_address.address if recipient and recipient.email_address else None


@pytest.mark.parametrize("key", ["message", "message_select"])
def test_a_served_message_parses_into_the_sdk_message_model_with_its_fields(answers, key):
    raw = answers[key]
    msg = parse(raw, Message)
    assert msg.id == raw["id"]
    assert msg.subject == raw["subject"]
    assert _email(msg.from_) == raw["from"]["emailAddress"]["address"]
    assert msg.received_date_time == dt.datetime(2026, 11, 27, 8, 15, 2, tzinfo=dt.UTC)
    assert not {"subject", "from", "id"} & set(msg.additional_data)


def test_select_returns_only_the_selected_fields_and_headers_only_when_asked(answers):
    assert "internetMessageHeaders" not in answers["message"]
    assert "body" in answers["message"]
    selected = answers["message_select"]
    assert "body" not in selected
    assert [h.name for h in parse(selected, Message).internet_message_headers] == [
        "Message-ID",
        "Content-Type",
    ]


def test_a_served_mail_folder_parses_with_its_parent(answers):
    folder = parse(answers["folder"], MailFolder)
    assert folder.id == answers["folder"]["id"]
    assert folder.display_name == "Inbox"
    assert folder.parent_folder_id == answers["folder"]["parentFolderId"]


def test_a_served_delta_page_parses_and_ends_with_a_delta_link(answers):
    page = parse(answers["delta"], DeltaGetResponse)
    assert [m.id for m in page.value] == [answers["message"]["id"]]
    assert page.odata_delta_link and "$deltatoken=" in page.odata_delta_link


@pytest.mark.parametrize("name", RECORDS)
def test_an_expanded_call_record_parses_with_typed_sessions_and_participants(answers, name):
    raw, source = answers[name], fixture(name)
    rec = parse(raw, CallRecord)
    assert (rec.id, rec.version) == (source["id"], source["version"])
    assert rec.start_date_time is not None and rec.end_date_time > rec.start_date_time
    assert rec.organizer_v2.id == source["organizer_v2"]["id"]
    assert rec.organizer_v2.identity.phone.id == source["organizer_v2"]["identity"]["phone"]["id"]
    assert [len(s.segments) for s in rec.sessions] == [len(s["segments"]) for s in source["sessions"][:2]]
    first_callee = rec.sessions[0].callee
    assert type(first_callee).__name__ == "ParticipantEndpoint"  # @odata.type kept: not a bare Endpoint
    assert first_callee.user_agent.role is not None
    assert [p.id for p in rec.participants_v2] == [p["id"] for p in source["participants_v2"][:2]]


@pytest.mark.parametrize("name", RECORDS)
def test_expansion_pages_parse_as_collections(answers, name):
    source = fixture(name)
    sessions = parse(answers[f"{name}:sessions"], SessionCollectionResponse)
    assert [s.id for s in sessions.value] == [s["id"] for s in source["sessions"][2:4]]
    # the nextLink kept $expand=segments
    assert [len(s.segments) for s in sessions.value] == [len(s["segments"]) for s in source["sessions"][2:4]]
    participants = parse(answers[f"{name}:participants_v2"], ParticipantCollectionResponse)
    assert [p.id for p in participants.value] == [p["id"] for p in source["participants_v2"][2:4]]


def test_an_unexpanded_call_record_has_no_sessions(answers):
    raw = answers[f"{RECORDS[0]}:plain"]
    assert "sessions" not in raw and "participants_v2" not in raw
    assert parse(raw, CallRecord).sessions is None


def test_the_listing_parses_and_holds_unexpanded_records(answers):
    page = parse(answers["list"], CallRecordCollectionResponse)
    assert sorted(r.id for r in page.value) == sorted(fixture(n)["id"] for n in RECORDS)
    assert all(r.sessions is None for r in page.value)


def test_subscriptions_parse_with_the_sdk_subscription_models(answers):
    sub = parse(answers["subscription"], Subscription)
    assert sub.id and sub.client_state == "state" and sub.change_type == "created"
    assert sub.expiration_date_time > dt.datetime.now(dt.UTC)
    listed = parse(answers["subscriptions"], SubscriptionCollectionResponse)
    assert [s.id for s in listed.value] == [sub.id]


def test_an_error_answer_parses_as_odata_error(answers):
    err = parse(answers["error"], ODataError)
    assert err.error.code == "ErrorItemNotFound"


def test_the_tenant_imports_nothing_of_loket():
    """It must not learn Loket's assumptions (the import-linter contract checks the same statically)."""
    code = (
        "import sys, devhost.tenant.app, devhost.tenant.process, devhost.tenant.__main__\n"
        "own = {'handlers', 'schemas', 'adapters', 'functions', 'cli', 'settings', 'errors', 'bootstrap'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in own))"
    )
    command = [sys.executable, "-c", code]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT, check=True)  # noqa: S603
    assert done.stdout.strip() == "[]"
