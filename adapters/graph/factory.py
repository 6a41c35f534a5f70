"""Build the GraphAdapter from settings (bootstrap calls this lazily, never at import)."""

from __future__ import annotations

from adapters.graph.adapter import GraphAdapter
from adapters.graph.credentials import build_auth_provider
from adapters.graph.http import build_http_client, build_request_adapter
from adapters.graph.limits import MailboxLimiter
from settings import Settings


def build_graph_adapter(
    settings: Settings, *, max_retries: int = 3, base_delay: float = 1.0, max_wait: float = 10.0
) -> GraphAdapter:
    """GraphAdapter for GRAPH_BASE_URL: the simulated tenant (no auth) or Graph (see credentials.py).

    Retries (SDK middleware): up to `max_retries` on 429/503/504, sleeping Retry-After when it is at
    most `max_wait` seconds; anything longer becomes TransientError(retry_after) for settlement.
    Must be used (and closed with `aclose()`) on one event loop.
    """
    auth, credential = build_auth_provider(settings)
    http = build_http_client(max_retries=max_retries, base_delay=base_delay, max_wait=max_wait)
    adapter = build_request_adapter(auth, settings.graph_base_url, http)
    return GraphAdapter(adapter, limiter=MailboxLimiter(), credential=credential)
