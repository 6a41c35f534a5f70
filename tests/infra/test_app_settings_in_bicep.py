"""Every setting settings.py reads is set in Azure by api.bicep (or is local-only, with a reason)."""
from __future__ import annotations

from pydantic import AliasChoices

from settings import Settings
from tests.infra import bicep_model as b

# Read by settings.py but deliberately NOT set in Azure.
LOCAL_ONLY = {
    "GRAPH_RICH_CERTIFICATE_PATH": "a PEM file for rich notifications; in Azure the certificate comes from "
    "Key Vault (GRAPH_RICH_CERTIFICATE_NAME)",
    "ServiceBusConnection": "a connection string: Service Bus has local auth off in Azure; the app "
    "connects with ServiceBusConnection__fullyQualifiedNamespace and its identity",
    "ScanStorage": "the Azurite connection string; Azure uses ScanStorage__blobServiceUri and the identity",
    "LOKET_API_KEY": "the local stand-in for sign-in; in Azure callers bring an Entra token with an app role",
    "ERASURE_SINGLE_PERSON": "one person may request and approve an erasure: for local use only; in Azure "
    "erasure always needs a second person with Loket.Privacy (and Loket refuses it with Service Bus)",
}

# Set in Azure for the Functions host or azure-identity, not read by settings.py.
HOST_ONLY = {
    "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
    "AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__queueServiceUri",
    "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    "FUNCTIONS_REQUEST_BODY_SIZE_LIMIT",  # the host refuses larger bodies (bytes) before Python sees them
    "PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY",  # the Python worker configures Azure Monitor itself
    "AZURE_CLIENT_ID",
    "ServiceBusConnection__credential",
    "ScanStorage__queueServiceUri", "ScanStorage__credential", "ScanStorage__clientId",
}


def setting_names() -> set[str]:
    """The app-setting names Settings reads: aliases and alias choices, not the Python field names."""
    names: set[str] = set()
    for field_name, field in Settings.model_fields.items():
        if field.alias:
            names.add(field.alias)
        choices = field.validation_alias
        if isinstance(choices, AliasChoices):
            names |= {c for c in choices.choices if isinstance(c, str) and c != field_name}
        elif isinstance(choices, str):
            names.add(choices)
    return names


def test_settings_exposes_the_names_design_md_fixes():
    fixed = {"BUS_BACKEND", "CRM_DATABASE_URL", "CAPTURE_POLICY_PATH", "GRAPH_CLIENT_STATE_KEY"}
    assert fixed <= setting_names()


def test_every_setting_the_code_reads_is_set_in_bicep_or_local_only():
    missing = setting_names() - set(b.app_settings()) - set(LOCAL_ONLY)
    assert not missing, f"settings read by settings.py but never set in Azure: {sorted(missing)}"


def test_local_only_settings_are_read_by_the_code_and_never_set_in_azure():
    assert set(LOCAL_ONLY) <= setting_names(), "a stale local-only entry"
    assert not set(LOCAL_ONLY) & set(b.app_settings())


def test_every_app_setting_in_bicep_is_read_by_the_code_or_the_host():
    unknown = set(b.app_settings()) - setting_names() - HOST_ONLY
    assert not unknown, f"app settings nothing reads: {sorted(unknown)}"


def test_the_literal_app_settings_are_values_settings_accepts():
    resolved = b.resolve(b.app("api"), b.app_settings())
    literal = {k: v for k, v in resolved.items() if isinstance(v, str) and "${" not in v}
    known = {k: v for k, v in literal.items() if k in setting_names()}
    parsed = Settings(**known)
    assert parsed.bus_backend == "servicebus"
    assert parsed.servicebus_settlement in {"plain", "actions"}


def test_the_database_url_names_the_postgresql_driver_and_requires_tls():
    url = b.resolve(b.app("api"), "crmDatabaseUrl")
    assert url.startswith("postgresql+psycopg://") and url.endswith("?sslmode=require")
    assert ":" not in url.split("://", 1)[1].split("@", 1)[0], "no password in the URL: Entra tokens only"


def test_the_queue_thresholds_in_azure_are_the_settings_defaults_and_the_age_alert_agrees():
    api = b.app("api")["parameters"]
    defaults = Settings()
    assert api["queueOldestAgeCriticalSeconds"]["default"] == defaults.queue_oldest_age_critical_seconds
    assert api["queueOldestAgeWarningSeconds"]["default"] == defaults.queue_oldest_age_warning_seconds
    assert api["queueActiveWarning"]["default"] == defaults.queue_active_warning
    main = b.parse(b.MAIN)
    (alerts,) = [m for m in main["modules"].values() if m["detail"]["path"] == "app/alerts.bicep"]
    (api_call,) = [m for m in main["modules"].values() if m["detail"]["path"] == "app/api.bicep"]
    shared = "oldestMessageAgeCriticalSeconds"
    assert alerts["config"]["params"]["oldestMessageAgeThresholdSeconds"] == shared
    assert api_call["config"]["params"]["queueOldestAgeCriticalSeconds"] == shared


def test_the_host_refuses_bodies_over_the_webhooks_own_limit_before_python_reads_them():
    from handlers.webhook import MAX_BODY_BYTES

    api = b.app("api")
    limit = b.evaluate(api, b.app_settings()["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"])
    assert int(limit) == MAX_BODY_BYTES == 1024 * 1024  # bytes (Microsoft: functions-app-settings)


def test_the_letter_budgets_in_azure_are_the_settings_defaults():
    """Bounded work per letter (issue 15): size, reading time and text kept, as the code defaults."""
    resolved = b.resolve(b.app("api"), b.app_settings())
    defaults = Settings()
    assert int(resolved["LETTER_PDF_MAX_BYTES"]) == defaults.letter_pdf_max_bytes
    assert float(resolved["LETTER_EXTRACTION_SECONDS"]) == defaults.letter_extraction_seconds
    assert int(resolved["LETTER_TEXT_MAX_CHARS"]) == defaults.letter_text_max_chars
