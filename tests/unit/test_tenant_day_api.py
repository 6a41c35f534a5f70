"""The tenant's simulated-day control API, in process: a run records its ground truth, puts every
contact where Graph and the post room would, notifies, and plays its faults (stale, slow)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
from pathlib import Path

import httpx

from devhost.tenant.app import build_app
from devhost.tenant.day_people import load_city

CLIENT_STATE = "state-of-the-sim"


class Loket:
    """Stands in for Loket's webhook: answers the handshake, keeps each notification."""

    def __init__(self) -> None:
        self.notifications: list[dict] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("validationToken")
        if token is not None:
            return httpx.Response(200, text=token, headers={"content-type": "text/plain"})
        self.notifications.extend(json.loads(request.content)["value"])
        return httpx.Response(202)


async def _subscribe(client: httpx.AsyncClient) -> None:
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    resources = [f"users/{b['user_id']}/messages" for b in load_city().mailboxes]
    for resource in [*resources, "communications/callRecords"]:
        body = {
            "changeType": "updated" if "call" in resource else "created",
            "resource": resource,
            "notificationUrl": "http://loket/api/graph/notifications",
            "expirationDateTime": expires,
            "clientState": CLIENT_STATE,
        }
        assert (await client.post("/v1.0/subscriptions", json=body)).status_code == 201


def drive(tmp_path: Path, scenario) -> Loket:
    loket = Loket()

    async def run() -> None:
        app = build_app(tmp_path, http_client=httpx.AsyncClient(transport=httpx.MockTransport(loket)))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            await scenario(client, app)

    asyncio.run(run())
    return loket


async def _until_done(client: httpx.AsyncClient, run_id: str) -> dict:
    for _ in range(600):
        run = (await client.get(f"/_sim/runs/{run_id}")).json()
        if run["done"]:
            return run
        await asyncio.sleep(0.05)
    raise AssertionError("the run never finished")


def test_a_run_records_its_truth_and_puts_every_contact_where_graph_and_the_post_room_would(tmp_path) -> None:
    seen: dict = {}

    async def scenario(client, app) -> None:
        await _subscribe(client)
        answer = await client.post(
            "/_sim/runs", json={"contacts": 30, "rate": 0, "imageLetters": 0, "seed": 3}
        )
        assert answer.status_code == 201
        run = await _until_done(client, answer.json()["id"])
        seen["run"], seen["truth"] = run, (await client.get(f"/_sim/runs/{run['id']}/truth")).json()["value"]
        seen["records"] = [
            (await client.get(f"/v1.0/communications/callRecords/{row['source_id']}")).status_code
            for row in seen["truth"]
            if row["channel"] == "phone"
        ]

    loket = drive(tmp_path, scenario)
    run, truth = seen["run"], seen["truth"]
    assert (run["generated"], run["errors"], len(truth)) == (30, 0, 30)
    assert {row["channel"] for row in truth} == {"mail", "phone", "post"}
    assert seen["records"] and set(seen["records"]) == {200}
    scans = {hashlib.sha256(p.read_bytes()).hexdigest() for p in (tmp_path / "post-inbox").rglob("*.pdf")}
    assert {row["source_id"] for row in truth if row["channel"] == "post"} <= scans
    assert not list((tmp_path / "post-inbox").rglob("*.tmp"))  # written, then renamed
    assert list((tmp_path / "post-inbox").rglob("*.pdf.json"))  # sidecars (how many depends on the mix)
    mail_rows = sum(1 for row in truth if row["channel"] == "mail")
    mail_notes = [n for n in loket.notifications if n["resource"].startswith("Users/")]
    assert len(mail_notes) > mail_rows  # one mail reaches two mailboxes
    assert all(n["clientState"] == CLIENT_STATE for n in loket.notifications)


def test_a_stale_replica_answers_once_with_the_older_version_then_with_the_current_one(tmp_path) -> None:
    versions: list[int] = []

    async def scenario(client, app) -> None:
        record = {
            "id": "c0a1e001-aaaa-4c00-8000-000000000001",
            "startDateTime": "2026-11-28T09:00:00Z",
            "sessions": [],
        }
        await client.post("/_sim/callRecords", json={"record": record, "notify": False})
        older = (await client.get(f"/v1.0/communications/callRecords/{record['id']}")).json()
        await client.post("/_sim/callRecords", json={"record": record, "notify": False})
        store = app.state.store
        current, options = store.call_record(record["id"])
        store.put_call_record(current, {**options, "stale": {"record": older, "reads": 1}})
        for _ in range(2):
            versions.append(
                (await client.get(f"/v1.0/communications/callRecords/{record['id']}")).json()["version"]
            )

    drive(tmp_path, scenario)
    assert versions == [1, 2]


def test_a_slow_fault_holds_the_answer_and_then_answers_for_real(tmp_path) -> None:
    seen: dict = {}

    async def scenario(client, app) -> None:
        app.state.faults.append({"path": "/users/", "method": "GET", "delay": 0.05, "times": 1})
        await client.post(
            "/_sim/users",
            json={"id": "6d2f0a11-0001-4a6b-8c1d-000000000001", "userPrincipalName": "info@stad.example"},
        )
        seen["status"] = (await client.get("/v1.0/users/info@stad.example")).status_code
        seen["faults"] = (await client.get("/_sim/faults")).json()["faults"]

    drive(tmp_path, scenario)
    assert seen["status"] == 200 and seen["faults"][0]["times"] == 0


def test_an_unknown_fault_kind_is_refused_and_an_endless_run_stops_when_asked(tmp_path) -> None:
    seen: dict = {}

    async def scenario(client, app) -> None:
        seen["bad"] = (await client.post("/_sim/runs", json={"contacts": 5, "faults": "flood"})).status_code
        run = (await client.post("/_sim/runs", json={"contacts": 0, "rate": 20, "imageLetters": 0})).json()
        await asyncio.sleep(0.3)
        seen["stop"] = (await client.delete(f"/_sim/runs/{run['id']}")).status_code
        seen["run"] = await _until_done(client, run["id"])
        seen["missing"] = (await client.get("/_sim/runs/nope")).status_code

    drive(tmp_path, scenario)
    assert (seen["bad"], seen["stop"], seen["missing"]) == (400, 204, 404)
    assert seen["run"]["done"] and seen["run"]["generated"] >= 1
