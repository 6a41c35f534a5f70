"""The queue report as metric points: what `publish_queue_metrics` sends (Azure has no oldest-age metric).

Names match infra/app/alerts.bicep and the workbook; the dimension `entity` is QUEUE or TOPIC/SUBSCRIPTION.
"""

from __future__ import annotations

from collections.abc import Iterator

from schemas.ops import QueueReport

PREFIX = "loket.queue."
HEALTH_LEVEL = {"ok": 0, "warning": 1, "critical": 2}
FIGURES = {
    "active": "active_messages",
    "dead_lettered": "dead_lettered_messages",
    "scheduled": "scheduled_messages",
    "oldest_active_age_seconds": "oldest_message_age_seconds",
    "incoming": "incoming_messages",
    "outgoing": "outgoing_messages",
}


def metric_points(report: QueueReport) -> Iterator[tuple[str, float, dict[str, str]]]:
    """(name, value, attributes) per entity and figure; an unknown figure is left out, never sent as 0.

    An entity with nothing active reports an oldest age of 0, so the alert's query sees it recover.
    """
    for row in report.entities:
        attributes = {"entity": row.entity}
        for field, name in FIGURES.items():
            value = getattr(row, field)
            if value is None and field == "oldest_active_age_seconds" and row.kind != "topic":
                value = 0.0
            if value is not None:
                yield PREFIX + name, float(value), attributes
        yield PREFIX + "health", float(HEALTH_LEVEL[row.health]), attributes
