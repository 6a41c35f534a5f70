"""Every alert rule asks Azure Monitor only for windows and frequencies it accepts, per rule type.

Azure rejects the deployment of a rule with any other value (e.g. a 20-minute log-alert window), so
`azd provision` would stop there. Sources: docs/deploy.md, "What was checked".
"""
from __future__ import annotations

import re

import pytest

from tests.infra import bicep_model as b

MINUTES = {
    # scheduledQueryRules (log search alerts) with a frequency other than PT1M
    "Microsoft.Insights/scheduledQueryRules": {5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440, 2880},
    # metricAlerts: windowSize
    "Microsoft.Insights/metricAlerts": {1, 5, 15, 30, 60, 360, 720, 1440},
}
METRIC_FREQUENCY_MINUTES = {1, 5, 15, 30, 60}
LOG_FREQUENCY_MINUTES = {1, 5, 10, 15, 30, 45, 60, 120, 180, 240, 300, 360, 1440}


DURATION = re.compile(r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?)?$")


def minutes(duration: str) -> int:
    """An ISO 8601 duration of days, hours and minutes (what alert rules use) in minutes."""
    match = DURATION.match(duration)
    assert match and duration not in ("P", "PT"), f"not a duration: {duration!r}"
    d, h, m = (int(match[k] or 0) for k in "dhm")
    return (d * 24 + h) * 60 + m


def alert_rules() -> list[tuple[str, str, dict]]:
    found = []
    for path in b.bicep_files():
        doc = b.parse(path)
        for name, resource in doc.get("resources", {}).items():
            if resource["type"] in MINUTES and not resource.get("existing"):
                props = b.resolve(doc, b.config(resource))["properties"]
                found.append((f"{path.name}:{name}", resource["type"], props))
    return found


def test_the_templates_define_both_kinds_of_alert_rule():
    kinds = {kind for _, kind, _ in alert_rules()}
    assert kinds == set(MINUTES)


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda r: r[0])
def test_each_alert_window_and_frequency_is_one_azure_accepts_for_its_rule_type(rule):
    name, kind, props = rule
    window, frequency = minutes(props["windowSize"]), minutes(props["evaluationFrequency"])
    assert window in MINUTES[kind], f"{name}: a {window}-minute window is refused for {kind}"
    allowed = METRIC_FREQUENCY_MINUTES if kind.endswith("metricAlerts") else LOG_FREQUENCY_MINUTES
    assert frequency in allowed, f"{name}: a {frequency}-minute frequency is refused"
    assert frequency <= window, f"{name}: evaluated less often than its window"


def test_a_window_of_twenty_minutes_is_what_this_test_refuses():
    assert minutes("PT20M") not in MINUTES["Microsoft.Insights/scheduledQueryRules"]
    assert minutes("PT30M") in MINUTES["Microsoft.Insights/scheduledQueryRules"]


def test_the_growth_alert_still_looks_at_three_five_minute_steps_inside_its_window():
    (props,) = [p for n, _, p in alert_rules() if n.endswith(":activeGrowing")]
    query = props["criteria"]["allOf"][0]["query"]
    assert "ago(20m)" in query and "bin(timestamp, 5m)" in query and "steps >= 3" in query
    assert minutes(props["windowSize"]) >= 20
