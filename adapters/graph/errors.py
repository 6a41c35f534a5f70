"""Map Graph's HTTP failures (kiota APIError/ODataError, httpx errors) onto Loket's error hierarchy."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime

from kiota_abstractions.api_error import APIError

from errors import ConfigurationError, LoketError, PermanentError, TransientError
from handlers.ports.graph import DeltaLinkExpired

# 403 codes that mean "this app may not do this here" (consent, app access policy, RBAC scope).
ACCESS_DENIED_CODES = {"ErrorAccessDenied", "Authorization_RequestDenied", "AccessDenied", "Forbidden"}


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(int(value)))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


def _error_code(exc: APIError) -> str:
    """Graph's error code (e.g. ErrorItemNotFound): safe to log, unlike Graph's message text."""
    main = getattr(exc, "error", None)
    code = getattr(main, "code", None)
    return code if isinstance(code, str) and code.isascii() and len(code) < 80 else "unknown"


def _header(exc: APIError, name: str) -> str | None:
    headers = exc.response_headers or {}
    for key, value in dict(headers).items():
        if key.lower() == name:
            return value
    return None


def map_api_error(exc: APIError, operation: str, *, not_found_transient: bool = False) -> LoketError:
    """Translate a failed Graph call. `operation` names what Loket tried (no ids, no personal data).

    `not_found_transient`: a 404 on a resource Graph just notified about means "not readable yet"
    (callRecords appear minutes to hours after their notification; a message can lag its
    notification too), so it is retried; elsewhere a 404 is permanent.
    """
    status = exc.response_status_code or 0
    code = _error_code(exc)
    what = f"Graph {operation}: HTTP {status} ({code})"
    if status == 429 or status >= 500:
        return TransientError(what, retry_after=parse_retry_after(_header(exc, "retry-after")))
    if status == 404:
        if not_found_transient:
            return TransientError(f"{what}: not readable yet")
        return PermanentError(what, reason="graph_not_found")
    if status == 410:
        return DeltaLinkExpired()
    if status == 401:
        return ConfigurationError(
            "GRAPH_CLIENT_ID",
            f"{what}: Graph refused the token; check GRAPH_TENANT_ID, "
            "GRAPH_CLIENT_ID and the certificate (GRAPH_CERTIFICATE_NAME in KEY_VAULT_URI)",
        )
    if status == 403 and code in ACCESS_DENIED_CODES:
        return ConfigurationError(
            "GRAPH_CLIENT_ID",
            f"{what}: the app lacks the Graph permission or the mailbox is outside its Exchange access scope",
        )
    reasons = {400: "graph_bad_request", 403: "graph_forbidden", 409: "graph_conflict"}
    return PermanentError(what, reason=reasons.get(status, f"graph_http_{status}"))


def transport_error(operation: str, exc: Exception) -> TransientError:
    """A network failure (refused, reset, timeout): the request may succeed later."""
    return TransientError(f"Graph {operation}: {type(exc).__name__} talking to Graph")
