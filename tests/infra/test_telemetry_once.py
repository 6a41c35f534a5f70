"""Each log line, trace and gauge reaches Application Insights once.

The host runs in OpenTelemetry mode (host.json), the Python worker configures Azure Monitor itself
(PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY=true: azure-functions-python-worker's dispatcher calls
configure_azure_monitor and reports WORKER_OPEN_TELEMETRY_ENABLED, so the host stops forwarding the
worker's logs), and Loket's own exporter set-up stands down when the worker has done it.
"""
from __future__ import annotations

import json
import sys
import types

import pytest

from adapters import ops_metrics
from settings import PROJECT_ROOT
from tests.infra import bicep_model as b


@pytest.fixture
def fake_distro(monkeypatch):
    calls: list[dict] = []
    module = types.ModuleType("azure.monitor.opentelemetry")
    module.configure_azure_monitor = lambda **kwargs: calls.append(kwargs)
    monkeypatch.setitem(sys.modules, "azure.monitor.opentelemetry", module)
    monkeypatch.setattr(ops_metrics, "_done", False)
    return calls


def test_the_host_exports_opentelemetry():
    host = json.loads((PROJECT_ROOT / "host.json").read_text())
    assert host["telemetryMode"].lower() == "opentelemetry"


def test_in_azure_the_worker_configures_azure_monitor_with_entra_ingestion():
    settings = b.app_settings()
    assert settings["PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY"] == "true"
    assert "Authorization=AAD" in b.text(settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"])
    assert "PYTHON_ENABLE_OPENTELEMETRY" not in settings, "a second, self-managed pipeline"


def test_loket_does_not_configure_a_second_exporter_when_the_worker_has(fake_distro, monkeypatch):
    monkeypatch.setenv("PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY", "true")
    ops_metrics.configure_exporter("InstrumentationKey=x")
    assert fake_distro == []


def test_outside_the_worker_loket_configures_the_exporter_once(fake_distro, monkeypatch):
    monkeypatch.delenv("PYTHON_APPLICATIONINSIGHTS_ENABLE_TELEMETRY", raising=False)
    ops_metrics.configure_exporter("InstrumentationKey=x")
    ops_metrics.configure_exporter("InstrumentationKey=x")
    assert fake_distro == [{"connection_string": "InstrumentationKey=x"}]
