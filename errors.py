"""Loket's small error hierarchy: adapters raise these, one helper maps them to HTTP or settlement."""
from __future__ import annotations


class LoketError(Exception):
    """Base of every error Loket raises on purpose.

    Messages never carry personal data: they name the field or the reason, not the value.
    """


class PermanentError(LoketError):
    """Retrying cannot help: malformed or unsupported input, or attempts exhausted.

    A message that raises this is dead-lettered with `reason` (a short code operators group by).
    """

    def __init__(self, message: str, *, reason: str = "PermanentError") -> None:
        super().__init__(message)
        self.reason = reason


class TransientError(LoketError):
    """Retrying later can help: throttling (429), 5xx, a resource not readable yet, a store outage.

    `retry_after` (seconds), when the source said how long to wait, overrides the back-off.
    """

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DuplicateEvent(LoketError):
    """The event (or message) was already applied; callers treat it as success."""


class ConfigurationError(LoketError):
    """A setting is missing, malformed or combined wrongly; the message names the setting key."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
