"""Loket's one Settings class: the Functions app-setting names, embedded defaults for one machine."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from errors import ConfigurationError

PROJECT_ROOT = Path(__file__).resolve().parent
SAMPLE_POLICY = PROJECT_ROOT / "policy" / "stad.example.yaml"


class Settings(BaseSettings):
    """Read from the environment (app settings in Azure). No setting at all: embedded everything."""

    model_config = SettingsConfigDict(populate_by_name=True, extra="ignore", case_sensitive=True)

    # The project's own var/ (not the current directory's); a relative LOKET_DATA_DIR is as given.
    data_dir: Path = Field(PROJECT_ROOT / "var", alias="LOKET_DATA_DIR")
    crm_database_url: str | None = Field(None, alias="CRM_DATABASE_URL")
    # PostgreSQL connections each worker process may hold: pool + overflow. Every Flex instance has its
    # own pool, so instances x (pool + overflow) must stay under the server's limit (docs/deploy.md,
    # "Connection budget"; tests/infra/test_connection_budget.py pins it against the Bicep).
    crm_pool_size: int = Field(5, ge=1, le=50, alias="CRM_POOL_SIZE")
    crm_max_overflow: int = Field(10, ge=0, le=50, alias="CRM_MAX_OVERFLOW")
    bus_backend: Literal["embedded", "servicebus"] = Field("embedded", alias="BUS_BACKEND")
    servicebus_namespace: str | None = Field(None, alias="ServiceBusConnection__fullyQualifiedNamespace")
    servicebus_client_id: str | None = Field(None, alias="ServiceBusConnection__clientId")
    servicebus_connection_string: str | None = Field(None, alias="ServiceBusConnection")

    mail_notifications_queue: str = Field("mail-notifications", alias="MAIL_NOTIFICATIONS_QUEUE")
    call_notifications_queue: str = Field("call-notifications", alias="CALL_NOTIFICATIONS_QUEUE")
    lifecycle_notifications_queue: str = Field(
        "lifecycle-notifications", alias="LIFECYCLE_NOTIFICATIONS_QUEUE"
    )
    contact_events_topic: str = Field("contact-events", alias="CONTACT_EVENTS_TOPIC")

    scan_storage: str | None = Field(None, alias="ScanStorage")
    scan_storage_blob_uri: str | None = Field(None, alias="ScanStorage__blobServiceUri")

    graph_tenant_id: str | None = Field(None, alias="GRAPH_TENANT_ID")
    graph_client_id: str | None = Field(None, alias="GRAPH_CLIENT_ID")
    graph_certificate_name: str | None = Field(None, alias="GRAPH_CERTIFICATE_NAME")
    # The Key Vault version to sign with; pinned so a new version is used only once Entra knows its
    # public key (docs/tenant-setup.md, rotation). Unset = the newest version.
    graph_certificate_version: str | None = Field(None, alias="GRAPH_CERTIFICATE_VERSION")
    key_vault_uri: str | None = Field(None, alias="KEY_VAULT_URI")
    graph_base_url: str = Field("http://127.0.0.1:7072/v1.0", alias="GRAPH_BASE_URL")
    graph_notification_url: str = Field(
        "http://127.0.0.1:7071/api/graph/notifications", alias="GRAPH_NOTIFICATION_URL"
    )
    graph_lifecycle_url: str = Field("http://127.0.0.1:7071/api/graph/lifecycle", alias="GRAPH_LIFECYCLE_URL")
    graph_client_state_key: str | None = Field(None, alias="GRAPH_CLIENT_STATE_KEY")

    call_settle_seconds: int = Field(120, ge=0, alias="CALL_SETTLE_SECONDS")
    max_attempts: int = Field(8, ge=1, alias="MAX_ATTEMPTS")
    servicebus_settlement: Literal["plain", "actions"] = Field("plain", alias="SERVICEBUS_SETTLEMENT")
    capture_policy_path: Path = Field(
        SAMPLE_POLICY, validation_alias=AliasChoices("CAPTURE_POLICY_PATH", "capture_policy_path")
    )
    api_key: str | None = Field(None, alias="LOKET_API_KEY")
    # OCR in Azure (Functions have no Tesseract): Azure AI Document Intelligence, prebuilt-read (never
    # yet run against the real service: tested over a fake client only);
    # unset = the PDF's text layer, else Tesseract (local).
    document_intelligence_endpoint: str | None = Field(None, alias="DOCUMENT_INTELLIGENCE_ENDPOINT")
    # Bounded work per letter (issue 15): a bigger PDF is refused as `too_large`; reading (text layer
    # or OCR) runs in a child process killed after LETTER_EXTRACTION_SECONDS; the text kept for the
    # sender and subject is at most LETTER_TEXT_MAX_CHARS (head and tail of the letter).
    letter_pdf_max_bytes: int = Field(50 * 1024 * 1024, ge=1024, alias="LETTER_PDF_MAX_BYTES")
    letter_extraction_seconds: float = Field(120.0, gt=0, alias="LETTER_EXTRACTION_SECONDS")
    letter_text_max_chars: int = Field(20_000, ge=1000, alias="LETTER_TEXT_MAX_CHARS")
    # The largest request body the host accepts (Azure: the Functions host's own setting; locally the
    # local host refuses a bigger body with 413 while reading it, chunked or not).
    request_body_max_bytes: int = Field(1024 * 1024, ge=1024, alias="FUNCTIONS_REQUEST_BODY_SIZE_LIMIT")

    # The operators' view (issue 8): health thresholds for `loket queues` and GET /api/ops/queues.
    queue_window_minutes: int = Field(5, ge=1, le=60, alias="QUEUE_WINDOW_MINUTES")
    queue_oldest_age_warning_seconds: int = Field(300, ge=1, alias="QUEUE_OLDEST_AGE_WARNING_SECONDS")
    queue_oldest_age_critical_seconds: int = Field(900, ge=1, alias="QUEUE_OLDEST_AGE_CRITICAL_SECONDS")
    queue_active_warning: int = Field(1000, ge=1, alias="QUEUE_ACTIVE_WARNING")
    queue_dead_letter_warning: int = Field(1, ge=1, alias="QUEUE_DEAD_LETTER_WARNING")
    queue_dead_letter_critical: int = Field(50, ge=1, alias="QUEUE_DEAD_LETTER_CRITICAL")
    # Entra ID sign-in for the API (Loket.Staff / Loket.Operator); unset = only the local API key.
    api_client_id: str | None = Field(None, alias="LOKET_API_CLIENT_ID")
    api_tenant_id: str | None = Field(None, alias="LOKET_API_TENANT_ID")  # default: GRAPH_TENANT_ID
    api_jwks_url: str | None = Field(None, alias="LOKET_API_JWKS_URL")  # default: the tenant's v2.0 keys
    api_issuer: str | None = Field(None, alias="LOKET_API_ISSUER")  # default: the tenant's v2.0 issuer
    applicationinsights_connection_string: str | None = Field(
        None, alias="APPLICATIONINSIGHTS_CONNECTION_STRING"
    )
    # Graph subscriptions and catch-up (issue 7).
    graph_callrecords_tenant_wide: bool = Field(False, alias="GRAPH_CALLRECORDS_TENANT_WIDE")  # privacy: see
    # handlers/subscription_plan.py; default: only calls that involve the policy's queues/attendants
    graph_rich_certificate_path: Path | None = Field(None, alias="GRAPH_RICH_CERTIFICATE_PATH")  # cert+key
    graph_rich_certificate_id: str = Field("loket-rich", alias="GRAPH_RICH_CERTIFICATE_ID")
    # In Azure: the rich-notification certificate's name in KEY_VAULT_URI (every enabled version's
    # key is kept for decryption; the newest is given to Graph).
    graph_rich_certificate_name: str | None = Field(None, alias="GRAPH_RICH_CERTIFICATE_NAME")
    graph_jwks_url: str = Field("https://login.microsoftonline.com/common/discovery/v2.0/keys",
                                alias="GRAPH_JWKS_URL")  # validation-token signing keys
    catch_up_call_lookback_minutes: int = Field(240, ge=5, alias="CATCH_UP_CALL_LOOKBACK_MINUTES")
    # Issue 20: one person may request and approve an erasure (local use only; refused with Service Bus).
    erasure_single_person: bool = Field(False, alias="ERASURE_SINGLE_PERSON")

    @property
    def database_url(self) -> str:
        """The CRM store URL: the setting, else a SQLite file in the data dir."""
        return self.crm_database_url or f"sqlite:///{self.data_dir / 'loket.db'}"

    @property
    def store_backend(self) -> Literal["sqlite", "postgresql"]:
        url = self.database_url
        if url.startswith("sqlite"):
            return "sqlite"
        if url.startswith("postgresql"):
            return "postgresql"
        raise ConfigurationError("CRM_DATABASE_URL", "must start with sqlite:// or postgresql+psycopg://")

    def check(self) -> Settings:
        """Fail at start on a wrong combination, naming the key (called by bootstrap.build)."""
        self.store_backend  # noqa: B018 - raises on an unsupported URL
        if self.bus_backend == "servicebus" and not (
            self.servicebus_namespace or self.servicebus_connection_string
        ):
            raise ConfigurationError(
                "ServiceBusConnection__fullyQualifiedNamespace",
                "required when BUS_BACKEND=servicebus (or set ServiceBusConnection to a connection string)",
            )
        if self.erasure_single_person and self.bus_backend == "servicebus":
            raise ConfigurationError(
                "ERASURE_SINGLE_PERSON", "one-person erasure is for local use only, not with Service Bus"
            )
        if not self.capture_policy_path.is_file():
            raise ConfigurationError("CAPTURE_POLICY_PATH", "no policy file at the given path")
        return self
