"""POST /api/ops/db/upgrade: the schema upgrade the app runs from inside the network for a member of the
PostgreSQL admin group (private access, docs/deploy.md). Through the local host's real routing, so the
function key is checked as the Functions host checks it."""
from __future__ import annotations

import asyncio
import json
import logging

import azure.functions as func
import httpx
import pytest

from adapters.store import provision
from devhost.function_index import index_app
from devhost.http_server import build_http_app
from functions import db_upgrade
from settings import Settings

KEY = "upgrade-key"
TOKEN = "eyJ0eXAi.member-token.sig"  # noqa: S105 - a stand-in for the member's Entra access token
BODY = {"admin": "loket-db-admins-prod", "role": "id-loket-abc",
        "object_id": "5d1c2b3a-0000-4e6f-9a1b-2c3d4e5f6a7b", "token": TOKEN}
PG_URL = "postgresql+psycopg://id-loket-abc@psql-loket-abc.postgres.database.azure.com:6432/loket?sslmode=require"


def post(body: object, key: str | None = KEY) -> httpx.Response:
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    app.register_functions(db_upgrade.bp)
    asgi_app = build_http_app(list(index_app(app, Settings()).values()), api_key=KEY)

    async def call() -> httpx.Response:
        transport = httpx.ASGITransport(app=asgi_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://h") as client:
            headers = {"x-functions-key": key} if key else {}
            return await client.post("/api/ops/db/upgrade", content=json.dumps(body), headers=headers)

    return asyncio.run(call())


@pytest.fixture
def upgrades(monkeypatch):
    """The PostgreSQL steps, recorded instead of run (no Azure server here)."""
    calls = []

    def fake(host, admin, role, object_id, database, token):
        calls.append((host, admin, role, object_id, database, token()))
        return "0007_head"

    monkeypatch.setattr(provision, "upgrade_as_admin", fake)
    return calls


def test_without_the_function_key_nothing_runs(upgrades, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", PG_URL)
    assert post(BODY, key=None).status_code == 401
    assert post(BODY, key="wrong").status_code == 401
    assert upgrades == []


def test_the_app_upgrades_its_own_server_on_the_direct_port_as_the_admin_group_with_the_callers_token(
    upgrades, monkeypatch,
):
    monkeypatch.setenv("CRM_DATABASE_URL", PG_URL)
    response = post(BODY)
    assert response.status_code == 200, response.text
    assert response.json() == {"revision": "0007_head"}
    assert upgrades == [("psql-loket-abc.postgres.database.azure.com", "loket-db-admins-prod", "id-loket-abc",
                         "5d1c2b3a-0000-4e6f-9a1b-2c3d4e5f6a7b", "loket", TOKEN)]


def test_a_sqlite_store_is_refused_with_409_it_is_upgraded_where_it_lives(upgrades, monkeypatch, tmp_path):
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    monkeypatch.setenv("LOKET_DATA_DIR", str(tmp_path))
    response = post(BODY)
    assert response.status_code == 409 and response.json()["code"] == "not_postgres"
    assert upgrades == []


def test_a_malformed_request_is_refused_naming_fields_and_never_echoing_the_token(upgrades, monkeypatch):
    monkeypatch.setenv("CRM_DATABASE_URL", PG_URL)
    response = post({**BODY, "object_id": "not-a-uuid", "extra": 1})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"object_id", "extra"}
    assert TOKEN not in response.text
    assert upgrades == []


def test_a_refused_sign_in_is_reported_without_the_token_in_the_answer_or_the_log(monkeypatch, caplog):
    monkeypatch.setenv("CRM_DATABASE_URL", PG_URL)

    def refused(host, admin, role, object_id, database, token):
        raise PermissionError(f'password authentication failed for user "{admin}"')

    monkeypatch.setattr(provision, "upgrade_as_admin", refused)
    with caplog.at_level(logging.DEBUG):
        response = post(BODY)
    assert response.status_code == 502
    assert response.json()["code"] == "upgrade_failed" and "loket-db-admins-prod" in response.json()["error"]
    assert TOKEN not in response.text and TOKEN not in caplog.text


def test_the_server_and_database_come_from_the_apps_database_url():
    assert provision.server_of(PG_URL) == ("psql-loket-abc.postgres.database.azure.com", "loket")
    with pytest.raises(ValueError, match="no host"):
        provision.server_of("postgresql+psycopg:///loket")
