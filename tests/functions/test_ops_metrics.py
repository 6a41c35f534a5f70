"""publish_queue_metrics: the `loket queues` figures as OpenTelemetry gauges, named as the alerts expect."""
from __future__ import annotations

import sys

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from adapters.ops_metrics import GaugeRecorder, configure_exporter
from handlers.ports.bus import OutgoingMessage
from tests.functions.conftest import built_functions
from tests.functions.ops_support import poison


def points(reader: InMemoryMetricReader) -> dict[tuple[str, str], float]:
    found = {}
    for resource in reader.get_metrics_data().resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    found[(metric.name, point.attributes["entity"])] = point.value
    return found


def test_the_timer_sends_each_entity_s_figures_and_the_oldest_age(services):
    reader = InMemoryMetricReader()
    services.__dict__["metrics"] = GaugeRecorder(MeterProvider(metric_readers=[reader]))
    services.bus.publish("call-notifications", [OutgoingMessage(b"{}", "waiting")])
    services.clock.advance(90)
    poison(services, "mail-notifications")

    built_functions()["publish_queue_metrics"].get_user_function()(None)

    sent = points(reader)
    assert sent[("loket.queue.oldest_message_age_seconds", "call-notifications")] >= 90
    assert sent[("loket.queue.oldest_message_age_seconds", "lifecycle-notifications")] == 0
    assert sent[("loket.queue.active_messages", "call-notifications")] == 1
    assert sent[("loket.queue.dead_lettered_messages", "mail-notifications")] == 1
    assert sent[("loket.queue.scheduled_messages", "contact-events")] == 0
    assert sent[("loket.queue.health", "mail-notifications")] == 1  # warning: a dead letter
    assert ("loket.queue.active_messages", "contact-events") not in sent  # unknown, never sent as 0
    assert sent[("loket.queue.incoming_messages", "call-notifications")] == 1


def test_without_an_application_insights_connection_nothing_azure_is_loaded():
    configure_exporter(None)
    assert "azure.monitor.opentelemetry" not in sys.modules
