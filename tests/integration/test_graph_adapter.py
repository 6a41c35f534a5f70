"""Loket's Graph adapter against the simulated tenant, each in its own process, over real HTTP.

The tenant runs as `python -m devhost.tenant` on a free port; a tiny local receiver stands in for
Loket's webhook so the subscription handshake and notifications go over the wire too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from kiota_abstractions.authentication import AnonymousAuthenticationProvider

from adapters.graph.adapter import GraphAdapter
from adapters.graph.factory import build_graph_adapter
from adapters.graph.http import build_http_client, build_request_adapter
from devhost.tenant.process import TenantProcess
from errors import PermanentError, TransientError
from handlers.ports.graph import DeltaLinkExpired, FolderPlace, FolderResolver
from settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tenant"
MAILBOX = "burgerzaken@stad.example"
REAL = "callrecord_real_layout_cq.json"
DOCUMENTED = "callrecord_documented_cq.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class Receiver(BaseHTTPRequestHandler):
    """Loket's webhook in miniature: echoes validation tokens on /ok, wraps them wrongly on /bad."""

    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        query = parse_qs(urlsplit(self.path).query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if "validationToken" in query:
            token = query["validationToken"][0]
            answer = token if self.path.startswith("/ok") else json.dumps({"token": token})
            self._answer(
                200, answer.encode(), "text/plain" if self.path.startswith("/ok") else "application/json"
            )
            return
        Receiver.received.append(json.loads(body))
        self._answer(202, b"", "text/plain")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def tenant_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tenant")


@pytest.fixture(scope="module")
def tenant(tenant_dir):
    with TenantProcess(tenant_dir, port=free_port()) as proc:
        yield proc.root_url


@pytest.fixture
def control(tenant):
    with httpx.Client(base_url=tenant, timeout=30) as client:
        yield client
        client.delete("/_sim/faults")


def run(tenant: str, call, **retry):
    """Run `call(adapter)` on a fresh adapter pointed at the tenant through GRAPH_BASE_URL."""

    async def go():
        adapter = build_graph_adapter(Settings(graph_base_url=f"{tenant}/v1.0"), **retry)
        try:
            return await call(adapter)
        finally:
            await adapter.aclose()

    return asyncio.run(go())


def add_message(control, folder: str = "inbox") -> dict:
    answer = control.post(
        f"/_sim/mailboxes/{MAILBOX}/messages",
        json={"folder": folder, "message": fixture("message_citizen.json")},
    )
    assert answer.status_code == 201
    return answer.json()


def test_a_message_is_read_with_select_and_an_immutable_id(tenant, control):
    made = add_message(control)
    got = run(
        tenant, lambda g: g.get_message(MAILBOX, made["id"], ["id", "subject", "internetMessageHeaders"])
    )
    assert got["id"] == made["id"]
    assert got["subject"] == fixture("message_citizen.json")["subject"]
    assert "body" not in got and got["internetMessageHeaders"]


def test_a_message_not_readable_yet_is_transient(tenant):
    with pytest.raises(TransientError):
        run(tenant, lambda g: g.get_message(MAILBOX, "AAMkAGI2NotThereYet=", ["id"]))


def test_folders_resolve_to_well_known_places_including_an_inbox_subfolder(tenant, control):
    sub = control.post(
        f"/_sim/mailboxes/{MAILBOX}/folders", json={"parent": "inbox", "displayName": "Dossiers"}
    )
    deeper = control.post(
        f"/_sim/mailboxes/{MAILBOX}/folders", json={"parent": sub.json()["id"], "displayName": "2026"}
    )
    custom = control.post(
        f"/_sim/mailboxes/{MAILBOX}/folders", json={"parent": "msgfolderroot", "displayName": "Eigen"}
    )
    in_sent, in_deep = add_message(control, "sentitems"), add_message(control, deeper.json()["id"])

    async def places(graph):
        resolver = FolderResolver(graph)
        return [await resolver.place(MAILBOX, m["parentFolderId"]) for m in (in_sent, in_deep)] + [
            await resolver.place(MAILBOX, custom.json()["id"])
        ]

    assert run(tenant, places) == [FolderPlace("sentitems", 0), FolderPlace("inbox", 2), FolderPlace(None, 1)]


@pytest.mark.parametrize("name", [REAL, DOCUMENTED])
def test_a_call_record_comes_with_every_session_and_participant_page(tenant, control, name):
    record = fixture(name)
    control.post(
        "/_sim/callRecords",
        json={
            "record": record,
            "notify": False,
            "options": {"pageSize": {"sessions": 1, "participants_v2": 1}},
        },
    )
    got = run(tenant, lambda g: g.get_call_record(record["id"]))
    assert [s["id"] for s in got["sessions"]] == [s["id"] for s in record["sessions"]]
    assert [p["id"] for p in got["participants_v2"]] == [p["id"] for p in record["participants_v2"]]
    assert got["sessions"][0]["segments"] == record["sessions"][0]["segments"]
    assert not [k for k in got if k.endswith("@odata.nextLink")]


def test_a_repeated_next_link_ends_paging_instead_of_looping(tenant, control):
    record = {**fixture(REAL), "id": "5c0f2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"}
    control.post(
        "/_sim/callRecords",
        json={
            "record": record,
            "notify": False,
            "options": {"pageSize": {"sessions": 3, "participants_v2": 2}, "repeatLastLink": True},
        },
    )
    got = run(tenant, lambda g: g.get_call_record(record["id"]))
    assert len(got["sessions"]) == len(record["sessions"])
    assert len(got["participants_v2"]) == len(record["participants_v2"])


def test_a_new_version_of_a_call_record_is_read_with_its_higher_version(tenant, control):
    record = {**fixture(DOCUMENTED), "id": "6d1a3e4f-5b6c-4d7e-8f90-a1b2c3d4e5f6"}
    first = control.post("/_sim/callRecords", json={"record": record, "notify": False}).json()
    second = control.post("/_sim/callRecords", json={"record": record, "notify": False}).json()
    assert second["version"] > first["version"]
    assert run(tenant, lambda g: g.get_call_record(record["id"]))["version"] == second["version"]


def test_call_records_are_listed_by_start_time(tenant, control):
    early = {
        **fixture(REAL),
        "id": "7e2b4f50-6c7d-4e8f-9012-b3c4d5e6f708",
        "startDateTime": "2026-10-01T08:00:00Z",
    }
    control.post("/_sim/callRecords", json={"record": early, "notify": False})
    utc = dt.UTC
    listed = run(
        tenant,
        lambda g: g.list_call_records(
            dt.datetime(2026, 10, 1, tzinfo=utc), dt.datetime(2026, 10, 2, tzinfo=utc)
        ),
    )
    assert [r["id"] for r in listed] == [early["id"]]
    assert "sessions" not in listed[0]


def test_a_subscription_is_created_after_the_handshake_and_then_notifies(tenant, control, receiver):
    body = {
        "changeType": "created",
        "notificationUrl": f"{receiver}/ok/notifications",
        "lifecycleNotificationUrl": f"{receiver}/ok/lifecycle",
        "resource": f"users/{MAILBOX}/messages",
        "expirationDateTime": dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
        "clientState": "k1",
    }
    created = run(tenant, lambda g: g.create_subscription(body))
    assert created["clientState"] == "k1"
    made = add_message(control)
    notes = [n["value"][0] for n in Receiver.received if n["value"][0]["subscriptionId"] == created["id"]]
    assert [n["resourceData"]["id"] for n in notes] == [made["id"]] and notes[0]["clientState"] == "k1"
    renewed = run(
        tenant, lambda g: g.renew_subscription(created["id"], dt.datetime.now(dt.UTC) + dt.timedelta(days=5))
    )
    assert renewed["expirationDateTime"] > created["expirationDateTime"]
    assert created["id"] in [s["id"] for s in run(tenant, lambda g: g.list_subscriptions())]
    run(tenant, lambda g: g.reauthorize_subscription(created["id"]))
    assert run(tenant, lambda g: g.delete_subscription(created["id"])) is True
    assert run(tenant, lambda g: g.delete_subscription(created["id"])) is False


def test_a_subscription_whose_endpoint_fails_the_handshake_is_refused(tenant, receiver):
    body = {
        "changeType": "updated",
        "notificationUrl": f"{receiver}/bad/notifications",
        "resource": "communications/callRecords",
        "clientState": "k2",
        "expirationDateTime": dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
    }
    with pytest.raises(PermanentError) as caught:
        run(tenant, lambda g: g.create_subscription(body))
    assert caught.value.reason == "graph_bad_request"


def test_a_429_with_retry_after_is_retried_by_the_sdk_and_then_succeeds(tenant, control):
    made = add_message(control)
    control.post("/_sim/faults", json={"path": "/messages/", "status": 429, "retryAfter": 1, "times": 1})
    got = run(tenant, lambda g: g.get_message(MAILBOX, made["id"], ["id"]))
    assert got["id"] == made["id"]
    assert control.get("/_sim/faults").json()["faults"][0]["times"] == 0


def test_a_long_retry_after_is_handed_to_settlement_instead_of_slept(tenant, control):
    made = add_message(control)
    control.post("/_sim/faults", json={"path": "/messages/", "status": 429, "retryAfter": 120, "times": 1})
    with pytest.raises(TransientError) as caught:
        run(tenant, lambda g: g.get_message(MAILBOX, made["id"], ["id"]))
    assert caught.value.retry_after == 120.0


def test_a_503_that_outlasts_the_retries_is_transient(tenant, control):
    control.post("/_sim/faults", json={"path": "/communications/", "status": 503, "times": 5})
    with pytest.raises(TransientError):
        run(tenant, lambda g: g.get_call_record(fixture(REAL)["id"]), max_retries=1, base_delay=0.0)


def test_a_delta_round_returns_new_mail_and_a_link_for_the_next_round(tenant, control):
    first = run(tenant, lambda g: g.message_delta(MAILBOX, "junkemail", select=["id", "subject"]))
    made = add_message(control, "junkemail")
    second = run(tenant, lambda g: g.message_delta(MAILBOX, "junkemail", delta_link=first.delta_link))
    assert [m["id"] for m in second.items] == [made["id"]]
    control.delete(f"/_sim/mailboxes/{MAILBOX}/messages/{made['id']}")
    third = run(tenant, lambda g: g.message_delta(MAILBOX, "junkemail", delta_link=second.delta_link))
    assert third.items == [
        {"@odata.type": "#microsoft.graph.message", "id": made["id"], "@removed": {"reason": "deleted"}}
    ]


def test_at_most_four_requests_per_mailbox_run_at_once_while_other_mailboxes_proceed():
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        mailbox = request.url.path.split("/")[3]
        in_flight[mailbox] = in_flight.get(mailbox, 0) + 1
        peak[mailbox] = max(peak.get(mailbox, 0), in_flight[mailbox])
        await asyncio.sleep(0.02)
        in_flight[mailbox] -= 1
        return httpx.Response(200, json={"id": "m"})

    async def burst():
        http = build_http_client(transport=httpx.MockTransport(handler))
        graph = GraphAdapter(
            build_request_adapter(AnonymousAuthenticationProvider(), "http://g.test/v1.0", http)
        )
        calls = [graph.get_message(box, f"m{i}", ["id"]) for i in range(12) for box in ("a@x", "b@x")]
        await asyncio.gather(*calls)
        await graph.aclose()

    asyncio.run(burst())
    assert peak == {"a@x": 4, "b@x": 4}


def test_the_tenants_ground_truth_survives_a_killed_process(tmp_path):
    first = TenantProcess(tmp_path, port=free_port()).start()
    try:
        with httpx.Client(base_url=first.root_url) as client:
            made = add_message(client)
    finally:
        first.kill()
    with TenantProcess(tmp_path, port=free_port()) as second:
        got = run(second.root_url, lambda g: g.get_message(MAILBOX, made["id"], ["id"]))
    assert got["id"] == made["id"]


def test_the_tenant_reads_the_shared_movable_clock_so_subscriptions_expire(tenant, tenant_dir, receiver):
    body = {
        "changeType": "updated",
        "notificationUrl": f"{receiver}/ok/calls",
        "clientState": "k3",
        "resource": "communications/callRecords",
        "expirationDateTime": dt.datetime.now(dt.UTC) + dt.timedelta(hours=2),
    }
    created = run(tenant, lambda g: g.create_subscription(body))
    clock = tenant_dir / "clock.json"
    clock.write_text(json.dumps({"offset": 3 * 3600.0, "frozen": None}), encoding="utf-8")
    try:
        listed = run(tenant, lambda g: g.list_subscriptions())
    finally:
        clock.unlink()
    assert created["id"] not in [s["id"] for s in listed]


def test_a_mailbox_named_by_upn_or_object_id_is_one_mailbox_and_notifications_use_the_id(
    tenant, control, receiver
):
    object_id, upn = "6d2f0a11-0001-4a6b-8c1d-000000000001", "info@stad.example"
    control.post("/_sim/users", json={"id": object_id, "userPrincipalName": upn, "displayName": "Onthaal"})
    body = {
        "changeType": "created",
        "notificationUrl": f"{receiver}/ok/info",
        "clientState": "k4",
        "resource": f"users/{object_id}/messages",
        "expirationDateTime": dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
    }
    created = run(tenant, lambda g: g.create_subscription(body))
    made = control.post(
        f"/_sim/mailboxes/{upn}/messages",
        json={"folder": "inbox", "message": fixture("message_citizen.json")},
    ).json()
    notes = [n["value"][0] for n in Receiver.received if n["value"][0]["subscriptionId"] == created["id"]]
    assert [n["resource"] for n in notes] == [f"Users/{object_id}/Messages/{made['id']}"]
    assert run(tenant, lambda g: g.get_message(object_id, made["id"], ["id"]))["id"] == made["id"]


def test_a_delta_link_the_tenant_no_longer_knows_asks_for_a_resync(tenant):
    stale = f"{tenant}/v1.0/users/{MAILBOX}/mailFolders/inbox/messages/delta()?$deltatoken=999999999"
    with pytest.raises(DeltaLinkExpired):
        run(tenant, lambda g: g.message_delta(MAILBOX, "inbox", delta_link=stale))


def test_call_record_notifications_follow_graph_created_then_updated_per_version(tenant, control, receiver):
    body = {
        "changeType": "created,updated",
        "notificationUrl": f"{receiver}/ok/calls2",
        "clientState": "k5",
        "resource": "communications/callRecords",
        "expirationDateTime": dt.datetime.now(dt.UTC) + dt.timedelta(days=2),
    }
    created = run(tenant, lambda g: g.create_subscription(body))
    record = {**fixture(REAL), "id": "8f3c5a61-7d8e-4f90-a123-c4d5e6f70819"}
    control.post("/_sim/callRecords", json={"record": record})
    control.post("/_sim/callRecords", json={"record": record, "copies": 2})  # a new version, sent twice
    notes = [n["value"][0] for n in Receiver.received if n["value"][0]["subscriptionId"] == created["id"]]
    assert [n["changeType"] for n in notes] == ["created", "updated", "updated", "updated"]
    assert {n["resource"] for n in notes} == {f"communications/callRecords/{record['id']}"}
    assert all(n["clientState"] == "k5" for n in notes)
    run(tenant, lambda g: g.delete_subscription(created["id"]))


def test_a_tenant_refusing_two_expansions_at_once_still_yields_the_whole_record(tenant, control):
    record = {**fixture(DOCUMENTED), "id": "9a4d6b72-8e9f-4a01-b234-d5e6f7081920"}
    control.post(
        "/_sim/callRecords",
        json={
            "record": record,
            "notify": False,
            "options": {"singleExpand": True, "pageSize": {"sessions": 2, "participants_v2": 3}},
        },
    )
    got = run(tenant, lambda g: g.get_call_record(record["id"]))
    assert [s["id"] for s in got["sessions"]] == [s["id"] for s in record["sessions"]]
    assert [p["id"] for p in got["participants_v2"]] == [p["id"] for p in record["participants_v2"]]
