"""OpenTelemetry gauges for the queue figures; exported to Application Insights when its connection is set."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from typing import Any

log = logging.getLogger(__name__)
METER_NAME = "loket.ops"
# Set in Azure (infra/app/api.bicep): the Python worker itself calls configure_azure_monitor at start
# and tells the host (telemetryMode OpenTelemetry) not to export the worker's logs a second time.
WORKER_EXPORTS = "PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY"
_configured = threading.Lock()
_done = False


def worker_exports_telemetry() -> bool:
    return os.environ.get(WORKER_EXPORTS, "").strip().lower() == "true"


def configure_exporter(connection_string: str | None) -> None:
    """Once per process: send OpenTelemetry to Azure Monitor (azure-monitor-opentelemetry, Azure only).

    Not when the Functions worker has done it already: a second configure_azure_monitor adds a
    second set of exporters, and every log line, span and gauge would reach Application Insights
    twice. The gauges then go through the worker's global MeterProvider.
    """
    global _done
    with _configured:
        if _done or not connection_string or worker_exports_telemetry():
            return
        from azure.monitor.opentelemetry import configure_azure_monitor

        configure_azure_monitor(connection_string=connection_string)
        _done = True


class GaugeRecorder:
    """Sets one gauge per metric name; `meter_provider` defaults to the global one."""

    def __init__(self, meter_provider: Any = None) -> None:
        from opentelemetry import metrics

        provider = meter_provider or metrics.get_meter_provider()
        self._meter = provider.get_meter(METER_NAME)
        self._gauges: dict[str, Any] = {}

    def record(self, points: Iterable[tuple[str, float, dict[str, str]]]) -> int:
        count = 0
        for name, value, attributes in points:
            gauge = self._gauges.get(name)
            if gauge is None:
                gauge = self._gauges[name] = self._meter.create_gauge(name)
            gauge.set(value, attributes)
            count += 1
        return count
