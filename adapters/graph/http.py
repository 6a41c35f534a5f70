"""Build the kiota request adapter Loket sends Graph requests through: auth, base URL, middleware.

The SDK's default middleware stays (redirects, retries on 429/503/504 honouring Retry-After,
`%24select` decoding, telemetry); only the retry handler is capped: a Retry-After longer than
`max_wait` seconds is not slept inside the Function invocation but surfaces as TransientError with
`retry_after`, so settlement schedules the retry on the bus instead (design.md, settlement).
"""

from __future__ import annotations

import httpx
from kiota_abstractions.authentication import AuthenticationProvider
from kiota_http.kiota_client_factory import KiotaClientFactory
from kiota_http.middleware import RetryHandler
from kiota_http.middleware.options import RetryHandlerOption, UrlReplaceHandlerOption
from msgraph import GraphRequestAdapter
from msgraph_core import GraphClientFactory

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class CappedRetryHandler(RetryHandler):
    """The SDK's RetryHandler, except that it will not sleep longer than `max_wait` seconds."""

    def __init__(self, options: RetryHandlerOption, max_wait: float) -> None:
        super().__init__(options)
        self.max_wait = max_wait

    def get_delay_time(self, retry_count, response=None, delay=RetryHandlerOption.DEFAULT_DELAY):
        wait = super().get_delay_time(retry_count, response, delay)
        # MAX_DELAY makes the SDK give up and return the 429/503, which the adapter maps.
        return wait if wait <= self.max_wait else RetryHandlerOption.MAX_DELAY


def build_http_client(
    *,
    max_retries: int = 3,
    base_delay: float = 1.0,
    max_wait: float = 10.0,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """An httpx client carrying Graph's default middleware with the capped retry handler.

    `transport` (tests): an httpx transport under the middleware, e.g. httpx.MockTransport.
    """
    retry = RetryHandlerOption(delay=base_delay, max_retries=max_retries)
    options = {
        RetryHandlerOption.get_key(): retry,
        # as msgraph's own GraphRequestAdapter sets it up
        UrlReplaceHandlerOption.get_key(): UrlReplaceHandlerOption(
            enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
        ),
    }
    middleware = KiotaClientFactory.get_default_middleware(options)
    middleware = [
        CappedRetryHandler(retry, max_wait) if isinstance(m, RetryHandler) else m for m in middleware
    ]
    middleware.append(GraphClientFactory._get_telemetry_handler(None))  # noqa: SLF001 - SDK helper
    client = httpx.AsyncClient(timeout=timeout, follow_redirects=False, transport=transport)
    return GraphClientFactory.create_with_custom_middleware(middleware, client=client)


def build_request_adapter(
    auth: AuthenticationProvider, base_url: str, http_client: httpx.AsyncClient
) -> GraphRequestAdapter:
    """Graph's request adapter pointed at `base_url` (no trailing slash: the SDK would double it)."""
    adapter = GraphRequestAdapter(auth, client=http_client)
    adapter.base_url = base_url.rstrip("/")
    return adapter
