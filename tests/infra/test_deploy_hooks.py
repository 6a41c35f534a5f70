"""The hooks' Python helpers: local.settings.json from azd's values, the app role's grants."""
from __future__ import annotations

import importlib.util
import json
import uuid

import pytest

from settings import PROJECT_ROOT

HOOKS = PROJECT_ROOT / "infra" / "hooks"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"loket_hook_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


AZD_ENV = {
    "BUS_BACKEND": "servicebus",
    "ServiceBusConnection__fullyQualifiedNamespace": "sb-loket-abc.servicebus.windows.net",
    "MAIL_NOTIFICATIONS_QUEUE": "mail-notifications",
    "CALL_NOTIFICATIONS_QUEUE": "call-notifications",
    "LIFECYCLE_NOTIFICATIONS_QUEUE": "lifecycle-notifications",
    "CONTACT_EVENTS_TOPIC": "contact-events",
    "ScanStorage__blobServiceUri": "https://stabc.blob.core.windows.net/",
    "ScanStorage__queueServiceUri": "https://stabc.queue.core.windows.net/",
    "KEY_VAULT_URI": "https://kv-abc.vault.azure.net/",
    "GRAPH_TENANT_ID": "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b",
    "GRAPH_CLIENT_ID": "",
    "GRAPH_CERTIFICATE_NAME": "loket-graph",
    "GRAPH_NOTIFICATION_URL": "https://func-loket-abc.azurewebsites.net/api/graph/notifications",
    "GRAPH_LIFECYCLE_URL": "https://func-loket-abc.azurewebsites.net/api/graph/lifecycle",
    "APPLICATIONINSIGHTS_CONNECTION_STRING": "InstrumentationKey=x",
    "POSTGRES_HOST": "psql-loket-abc.postgres.database.azure.com",
    "POSTGRES_DATABASE": "loket",
    "AZURE_PRINCIPAL_NAME": "admin@stad.example",
    "POSTGRES_ADMIN_GROUP_NAME": "loket-db-admins-prod",
    "AZURE_SUBSCRIPTION_ID": "not-a-setting",
}


def test_local_settings_carry_the_outputs_and_the_admin_groups_database_url_but_no_secret(tmp_path):
    hook = load("write_local_settings")
    target = tmp_path / "local.settings.json"
    hook.main(["write_local_settings.py", str(target)])  # the real environment: still valid JSON
    values = hook.local_settings(AZD_ENV)["Values"]
    assert values["ServiceBusConnection__fullyQualifiedNamespace"] == "sb-loket-abc.servicebus.windows.net"
    assert values["CRM_DATABASE_URL"] == (
        "postgresql+psycopg://loket-db-admins-prod@psql-loket-abc.postgres.database.azure.com:5432/"
        "loket?sslmode=require"
    )
    assert "GRAPH_CLIENT_ID" not in values, "an empty value would hide the Settings default"
    assert "GRAPH_CLIENT_STATE_KEY" not in values and "AZURE_SUBSCRIPTION_ID" not in values
    json.loads(target.read_text())


def test_the_committed_example_has_the_keys_the_hook_writes():
    example = json.loads((PROJECT_ROOT / "local.settings.example.json").read_text())["Values"]
    written = load("write_local_settings").local_settings({**AZD_ENV, "GRAPH_CLIENT_ID": "x"})["Values"]
    assert set(example) == set(written)


def test_the_principal_statement_creates_the_role_by_object_id_once():
    hook = load("pg_setup")
    (statement,) = hook.principal_statements("id-loket-abc", "0000-oid")
    text = statement.as_string(None)
    assert "pgaadauth_create_principal_with_oid('id-loket-abc', '0000-oid', 'service', false, false)" in text
    assert "NOT EXISTS" in text


@pytest.mark.postgresql
def test_the_grants_let_the_app_role_read_and_write_tables_but_not_change_the_schema():
    psycopg = pytest.importorskip("psycopg")
    hook = load("pg_setup")
    from sqlalchemy.engine import make_url

    from tests.contract.store_backends import PG_ADMIN_URL  # LOKET_TEST_POSTGRES_URL, as the store tests

    url = make_url(PG_ADMIN_URL)
    admin = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    role, schema_table = f"loket_app_{uuid.uuid4().hex[:8]}", f"grant_probe_{uuid.uuid4().hex[:8]}"
    try:
        conn = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {url.host}:{url.port} is down: {type(exc).__name__}")
    with conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        try:
            conn.execute(f"CREATE TABLE {schema_table} (id serial PRIMARY KEY)")
            hook.run(admin, hook.grant_statements(role, url.database))
            conn.execute(f"CREATE TABLE {schema_table}_later (id int)")  # made by a later migration
            rights = conn.execute(
                "SELECT has_table_privilege(%(r)s, %(t)s, 'INSERT'),"
                " has_table_privilege(%(r)s, %(t)s, 'DELETE'),"
                " has_table_privilege(%(r)s, %(later)s, 'SELECT'),"
                " has_schema_privilege(%(r)s, 'public', 'CREATE')",
                {"r": role, "t": schema_table, "later": f"{schema_table}_later"},
            ).fetchone()
            assert rights == (True, True, True, False)
        finally:
            conn.execute(f"DROP TABLE IF EXISTS {schema_table}, {schema_table}_later")
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


def test_the_schema_is_upgraded_as_the_admin_group_on_the_direct_port_never_through_pgbouncer():
    hook = load("pg_setup")
    url = hook.migration_url("psql-loket-abc.postgres.database.azure.com", "loket-db-admins-prod", "loket")
    assert url == (
        "postgresql+psycopg://loket-db-admins-prod@psql-loket-abc.postgres.database.azure.com:5432/loket"
        "?sslmode=require"
    )


def test_without_pgpassword_the_token_comes_from_azure_identity_so_a_job_in_the_network_can_run_it(
    monkeypatch,
):
    """Inside a VNet (no public access) the job's managed identity, a member of the group, signs in."""
    hook = load("pg_setup")
    monkeypatch.setenv("PGPASSWORD", "cli-token")
    assert hook.admin_token() == "cli-token"
    monkeypatch.delenv("PGPASSWORD")
    scopes = []

    class FakeCredential:
        def __init__(self, **kwargs):
            assert kwargs == {"exclude_interactive_browser_credential": True}

        def get_token(self, scope):
            scopes.append(scope)
            return type("Token", (), {"token": "managed-identity-token"})()

    import azure.identity

    monkeypatch.setattr(azure.identity, "DefaultAzureCredential", FakeCredential)
    assert hook.admin_token() == "managed-identity-token"
    assert scopes == ["https://ossrdbms-aad.database.windows.net/.default"]


class RecordingApp:
    """A local stand-in for the app's POST /api/ops/db/upgrade that records what reached it."""

    def __init__(self, status: int = 200, answer: dict | None = None) -> None:
        import http.server
        import threading

        self.requests: list[tuple[str, dict, dict]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["content-length"])))
                outer.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                payload = json.dumps(answer or {"revision": "0007_head"}).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_via_the_app_the_callers_own_token_and_the_function_key_reach_the_upgrade_route(monkeypatch, capsys):
    """Private access: the server has no public endpoint, the app runs the steps with the member's token."""
    hook = load("pg_setup")
    monkeypatch.setenv("PGPASSWORD", "member-token")
    monkeypatch.setenv("LOKET_UPGRADE_KEY", "function-key")
    app = RecordingApp()
    try:
        hook.main(["upgrade", "--via", app.url, "--admin", "loket-db-admins-prod", "--role", "id-loket-abc",
                   "--object-id", "5d1c2b3a-0000-4e6f-9a1b-2c3d4e5f6a7b"])
    finally:
        app.close()
    ((path, headers, body),) = app.requests
    assert path == "/api/ops/db/upgrade"
    assert headers["x-functions-key"] == "function-key"
    assert body == {"admin": "loket-db-admins-prod", "role": "id-loket-abc",
                    "object_id": "5d1c2b3a-0000-4e6f-9a1b-2c3d4e5f6a7b", "token": "member-token"}
    assert "schema at 0007_head" in capsys.readouterr().out


def test_via_the_app_without_the_function_key_in_the_environment_is_a_usage_error(monkeypatch):
    hook = load("pg_setup")
    monkeypatch.delenv("LOKET_UPGRADE_KEY", raising=False)
    with pytest.raises(SystemExit) as stopped:
        hook.main(["upgrade", "--via", "https://func-loket-abc.azurewebsites.net", "--admin", "g",
                   "--role", "r", "--object-id", "5d1c2b3a-0000-4e6f-9a1b-2c3d4e5f6a7b"])
    assert stopped.value.code == 2


def test_a_refusal_by_the_app_stops_the_hook_with_the_apps_reason(monkeypatch):
    hook = load("pg_setup")
    monkeypatch.setenv("PGPASSWORD", "member-token")
    refusal = {"error": 'password authentication failed for user "g"', "code": "upgrade_failed"}
    app = RecordingApp(502, refusal)
    try:
        with pytest.raises(SystemExit) as stopped:
            hook.upgrade_via_app(app.url, "g", "r", "5d1c2b3a-0000-4e6f-9a1b-2c3d4e5f6a7b", "function-key")
    finally:
        app.close()
    assert "(502)" in str(stopped.value.code) and "password authentication failed" in str(stopped.value.code)
    assert "member-token" not in str(stopped.value.code)
