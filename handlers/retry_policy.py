"""Back-off for transient failures: how long the rescheduled copy waits, and when attempts run out."""
from __future__ import annotations

import datetime as dt

BASE_DELAY = dt.timedelta(seconds=10)
MAX_DELAY = dt.timedelta(minutes=15)
ATTEMPT_PROPERTY = "loket-attempt"
FIRST_MESSAGE_PROPERTY = "loket-first-message-id"


def next_delay(attempt: int, retry_after: float | None = None) -> dt.timedelta:
    """Exponential (10 s, 20 s, 40 s, … capped at 15 min) after `attempt` failed; Retry-After wins
    when the source named a longer wait."""
    delay = min(BASE_DELAY * (2 ** max(attempt - 1, 0)), MAX_DELAY)
    if retry_after is not None:
        delay = max(delay, dt.timedelta(seconds=retry_after))
    return delay


def attempt_of(properties: dict) -> int:
    """The attempt a delivery is (1 for the first publication); unreadable values count as 1."""
    try:
        return max(int(properties.get(ATTEMPT_PROPERTY, 1)), 1)
    except (TypeError, ValueError):
        return 1


def retry_message_id(first_id: str, attempt: int) -> str:
    """A new id per attempt: duplicate detection must not drop the copy (servicebus-settlement §4.2)."""
    return f"{first_id[:100]}:attempt:{attempt}"
