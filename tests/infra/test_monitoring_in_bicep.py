"""The alerts and the workbook exist and read the queue metrics under the names the timer sends."""
from __future__ import annotations

import json
import re

from settings import PROJECT_ROOT
from tests.infra import bicep_model as b

QUEUE_METRICS = {
    "loket.queue.active_messages",
    "loket.queue.dead_lettered_messages",
    "loket.queue.scheduled_messages",
    "loket.queue.oldest_message_age_seconds",
}
METRIC_NAME = re.compile(r"loket\.queue\.[a-z_]+")


def rules() -> dict[str, dict]:
    doc = b.app("alerts")
    return {
        name: b.resolve(doc, b.config(r))["properties"]
        for name, r in doc["resources"].items()
        if r["type"] in ("Microsoft.Insights/metricAlerts", "Microsoft.Insights/scheduledQueryRules")
    }


def queries() -> dict[str, str]:
    return {
        name: " ".join(c["query"] for c in props["criteria"]["allOf"])
        for name, props in rules().items()
        if "query" in props["criteria"]["allOf"][0]
    }


def test_dead_letters_alert_on_any_dead_lettered_message_per_entity():
    (criterion,) = rules()["deadLettered"]["criteria"]["allOf"]
    assert (criterion["metricName"], criterion["operator"], criterion["threshold"]) == (
        "DeadletteredMessages", "GreaterThan", 0,
    )
    assert criterion["dimensions"][0]["name"] == "EntityName"


def test_growth_age_silence_failures_and_latency_each_have_a_rule():
    found = queries()
    assert "loket.queue.active_messages" in found["activeGrowing"] and "prev(" in found["activeGrowing"]
    assert rules()["activeGrowing"]["windowSize"] == "PT30M"
    assert "loket.queue.oldest_message_age_seconds" in found["oldestAge"]
    assert rules()["metricsSilent"]["criteria"]["allOf"][0]["operator"] == "LessThan"
    assert "success == false" in found["functionFailures"]
    assert "/api/graph/" in found["webhookLatency"]
    assert b.app("alerts")["parameters"]["webhookLatencyThresholdMs"]["default"] == 1000


def test_every_rule_notifies_the_operators_action_group():
    for name, props in rules().items():
        actions = props["actions"]
        # log alerts: {actionGroups: [...]}; metric alerts: [{actionGroupId: ...}]
        groups = (
            actions["actionGroups"] if isinstance(actions, dict) else [a["actionGroupId"] for a in actions]
        )
        assert groups, f"{name} notifies nobody"


def test_alerts_workbook_and_docs_use_only_the_queue_metric_names_the_timer_sends():
    workbook = (PROJECT_ROOT / "infra" / "app" / "workbook.json").read_text()
    json.loads(workbook)
    used = set(METRIC_NAME.findall(" ".join(queries().values()))) | set(METRIC_NAME.findall(workbook))
    assert used <= QUEUE_METRICS
    assert "loket.queue.oldest_message_age_seconds" in used
    documented = set(METRIC_NAME.findall((PROJECT_ROOT / "docs" / "deploy.md").read_text()))
    assert documented == QUEUE_METRICS


def test_the_workbook_charts_the_namespace_and_the_application_insights_it_is_given():
    doc = b.app("workbook")
    workbook = (PROJECT_ROOT / "infra" / "app" / "workbook.json").read_text()
    for placeholder in ("__SERVICEBUS_ID__", "__APPINSIGHTS_ID__"):
        assert placeholder in workbook
        assert placeholder in json.dumps(doc["variables"])
