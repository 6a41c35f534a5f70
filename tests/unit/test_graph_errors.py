"""Graph failures become Loket's errors: transient (with Retry-After), permanent with a reason, or a
configuration error naming the setting; never with personal data in the message."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import AnonymousAuthenticationProvider
from msgraph.generated.models.o_data_errors.main_error import MainError
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from adapters.graph.adapter import GraphAdapter
from adapters.graph.credentials import build_auth_provider, is_loopback
from adapters.graph.errors import map_api_error, parse_retry_after
from adapters.graph.http import build_http_client, build_request_adapter
from errors import ConfigurationError, PermanentError, TransientError
from handlers.ports.graph import DeltaLinkExpired
from settings import Settings

CITIZEN = "els.vandenbroeck@telenet.be"


def odata_error(status: int, code: str, headers: dict | None = None) -> ODataError:
    err = ODataError()
    err.response_status_code = status
    err.response_headers = headers or {}
    err.error = MainError(code=code, message=f"The mailbox {CITIZEN} could not be found.")
    return err


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_throttling_and_server_errors_are_transient_with_retry_after(status):
    mapped = map_api_error(odata_error(status, "ApplicationThrottled", {"Retry-After": "7"}), "get message")
    assert isinstance(mapped, TransientError)
    assert mapped.retry_after == 7.0


def test_a_transient_error_without_retry_after_leaves_the_back_off_to_settlement():
    mapped = map_api_error(APIError("x", 503, {}), "get message")
    assert isinstance(mapped, TransientError) and mapped.retry_after is None


def test_a_404_on_a_just_notified_resource_is_transient_elsewhere_permanent():
    assert isinstance(
        map_api_error(odata_error(404, "ErrorItemNotFound"), "get message", not_found_transient=True),
        TransientError,
    )
    permanent = map_api_error(odata_error(404, "ErrorItemNotFound"), "get mailFolder")
    assert isinstance(permanent, PermanentError) and permanent.reason == "graph_not_found"


def test_a_bad_request_is_permanent_with_a_reason():
    mapped = map_api_error(odata_error(400, "BadRequest"), "create subscription")
    assert isinstance(mapped, PermanentError) and mapped.reason == "graph_bad_request"


def test_a_refused_token_names_the_credential_setting():
    mapped = map_api_error(odata_error(401, "InvalidAuthenticationToken"), "get message")
    assert isinstance(mapped, ConfigurationError) and mapped.key == "GRAPH_CLIENT_ID"


def test_access_denied_is_configuration_but_a_quota_403_is_permanent():
    assert isinstance(map_api_error(odata_error(403, "ErrorAccessDenied"), "get message"), ConfigurationError)
    quota = map_api_error(odata_error(403, "ExtensionError"), "create subscription")
    assert isinstance(quota, PermanentError) and quota.reason == "graph_forbidden"


def test_a_gone_delta_link_asks_for_a_resync():
    assert isinstance(map_api_error(APIError("gone", 410, {}), "message delta"), DeltaLinkExpired)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 503])
def test_no_mapped_error_carries_graphs_message_text(status):
    mapped = map_api_error(odata_error(status, "ErrorAccessDenied"), "get message", not_found_transient=True)
    assert CITIZEN not in str(mapped)
    assert "ErrorAccessDenied" in str(mapped)  # the code is kept: operators group by it


def test_retry_after_is_read_as_seconds_or_as_an_http_date():
    now = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Sat, 28 Nov 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def _adapter(handler) -> GraphAdapter:
    http = build_http_client(max_retries=0, transport=httpx.MockTransport(handler))
    return GraphAdapter(
        build_request_adapter(AnonymousAuthenticationProvider(), "http://graph.test/v1.0", http)
    )


def _run(handler, call):
    """Run `call(adapter)` against an adapter whose HTTP is answered by `handler` (no network)."""

    async def go():
        adapter = _adapter(handler)
        try:
            return await call(adapter)
        finally:
            await adapter.aclose()

    return asyncio.run(go())


def test_errors_come_through_the_sdk_pipeline_mapped():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429,
            headers={"Retry-After": "42"},
            json={"error": {"code": "ApplicationThrottled", "message": CITIZEN}},
        )

    async def call(adapter):
        return await adapter.get_message("info@stad.example", "AAMk=", ["id"])

    with pytest.raises(TransientError) as caught:
        _run(handler, call)
    assert caught.value.retry_after == 42.0 and CITIZEN not in str(caught.value)


def test_a_refused_connection_is_transient():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def call(adapter):
        return await adapter.get_call_record("4b9e1c2d-3f4a-4b5c-9d6e-7f8091a2b3c4")

    with pytest.raises(TransientError):
        _run(handler, call)


def test_a_paging_link_to_another_host_is_refused_before_any_request():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(
            200,
            json={
                "id": "r1",
                "version": 1,
                "sessions": [],
                "sessions@odata.nextLink": "https://evil.example/v1.0/steal",
            },
        )

    async def call(adapter):
        return await adapter.get_call_record("r1")

    with pytest.raises(PermanentError) as caught:
        _run(handler, call)
    assert caught.value.reason == "graph_foreign_link"
    assert len(seen) == 1


def test_a_documented_metadata_link_is_followed_as_the_real_url():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/sessions"):
            return httpx.Response(200, json={"value": [{"id": "s2"}]})
        link = "http://graph.test/v1.0/$metadata#communications/callRecords('r1')/sessions?$skiptoken=abc"
        return httpx.Response(
            200, json={"id": "r1", "sessions": [{"id": "s1"}], "sessions@odata.nextLink": link}
        )

    async def call(adapter):
        return await adapter.get_call_record("r1")

    assert [s["id"] for s in _run(handler, call)["sessions"]] == ["s1", "s2"]


def test_the_simulated_tenant_gets_no_credentials_and_plain_http_to_graph_is_refused():
    assert is_loopback("http://127.0.0.1:7072/v1.0") and is_loopback("http://localhost:1/v1.0")
    auth, credential = build_auth_provider(Settings(graph_base_url="http://127.0.0.1:7072/v1.0"))
    assert type(auth).__name__ == "AnonymousAuthenticationProvider" and credential is None
    with pytest.raises(ConfigurationError) as caught:
        build_auth_provider(Settings(graph_base_url="http://graph.example/v1.0"))
    assert caught.value.key == "GRAPH_BASE_URL"


def test_a_half_configured_certificate_names_the_missing_setting():
    settings = Settings(
        graph_base_url="https://graph.microsoft.com/v1.0",
        graph_certificate_name="loket-graph",
        key_vault_uri="https://kv.vault.azure.net",
        graph_tenant_id="t",
    )
    with pytest.raises(ConfigurationError) as caught:
        build_auth_provider(settings)
    assert caught.value.key == "GRAPH_CLIENT_ID"
