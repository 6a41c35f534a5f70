"""The health verdict per entity: the worst of dead letters, backlog, oldest age and a stalled consumer."""
from __future__ import annotations

import pytest

from handlers.ops import Thresholds, verdict
from handlers.ports.bus import EntityCounts

T = Thresholds(window_minutes=5, oldest_age_warning_seconds=300, oldest_age_critical_seconds=900,
               active_warning=100, dead_letter_warning=1, dead_letter_critical=10)


def counts(active=0, dead=0) -> EntityCounts:
    return EntityCounts("mail-notifications", "queue", active, dead, 0, None)


@pytest.mark.parametrize(
    "row, age, outgoing, expected",
    [
        (counts(), None, 0, ("ok", ())),
        (counts(dead=1), None, None, ("warning", ("dead_letters",))),
        (counts(dead=10), None, None, ("critical", ("dead_letters",))),
        (counts(active=100), 10.0, 50, ("warning", ("backlog",))),
        (counts(active=1), 299.0, 0, ("ok", ())),
        (counts(active=1), 300.0, 3, ("warning", ("oldest_age",))),
        (counts(active=1), 300.0, 0, ("critical", ("oldest_age", "stalled"))),
        (counts(active=1), 300.0, None, ("warning", ("oldest_age",))),  # traffic unknown: never "stalled"
        (counts(active=1, dead=2), 900.0, 7, ("critical", ("dead_letters", "oldest_age"))),
    ],
)
def test_the_worst_check_decides_and_every_check_that_fired_is_named(row, age, outgoing, expected):
    assert verdict(row, age, outgoing, T) == expected


def test_a_topic_row_without_counts_is_ok():
    topic = EntityCounts("contact-events", "topic", None, None, 3, None)
    assert verdict(topic, None, None, T) == ("ok", ())


def test_thresholds_read_the_queue_settings():
    from settings import Settings

    built = Thresholds.from_settings(Settings(QUEUE_OLDEST_AGE_CRITICAL_SECONDS=60, QUEUE_WINDOW_MINUTES=2))
    assert (built.oldest_age_critical_seconds, built.window_minutes) == (60, 2)
