"""BlobCreated events for scanned post cannot silently miss: a dead-letter container, the topic's
identity allowed to write it (shared keys are off), and alerts on dead-lettered and dropped events.
The subscription itself is made by postdeploy (tests/infra/test_deploy_hook_scripts.py)."""
from __future__ import annotations

from tests.infra import bicep_model as b

STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"


def test_the_dead_letter_container_exists_private_and_its_name_reaches_the_hook():
    doc = b.app("storage")
    containers = b.resources_of(doc, "Microsoft.Storage/storageAccounts/blobServices/containers")
    dead = containers["eventGridDeadLetterContainer"]
    assert dead["name"] == "eventgrid-deadletter" and dead["properties"]["publicAccess"] == "None"
    outputs = b.parse(b.MAIN)["outputs"]
    container = b.dotted(outputs["EVENTGRID_DEADLETTER_CONTAINER"]["value"])
    assert container == "storage.outputs.eventGridDeadLetterContainer"
    assert b.dotted(outputs["AZURE_STORAGE_ACCOUNT_ID"]["value"]) == "storage.outputs.resourceId"


def test_the_system_topic_has_an_identity_that_may_write_only_the_dead_letter_container():
    doc = b.app("storage")
    (topic,) = b.resources_of(doc, "Microsoft.EventGrid/systemTopics").values()
    assert topic["identity"]["type"] == "SystemAssigned"
    (writer,) = b.resources_named(doc, "Microsoft.Authorization/roleAssignments")
    body = b.config(writer)
    assert body["scope"] == "eventGridDeadLetterContainer"
    assert b.dotted(body["properties"]["principalId"]) == "systemTopic.identity.principalId"
    assert b.role_definition(doc, writer) == STORAGE_BLOB_DATA_CONTRIBUTOR


def test_dead_lettered_and_dropped_scan_events_raise_alerts_on_the_scan_topic():
    doc = b.app("alerts")
    rules = b.bodies(doc, "Microsoft.Insights/metricAlerts")
    by_metric = {
        c["metricName"]: props["properties"]
        for props in rules
        for c in props["properties"]["criteria"]["allOf"]
        if c.get("metricNamespace") == "Microsoft.EventGrid/systemTopics"
    }
    assert set(by_metric) == {"DeadLetteredCount", "DroppedEventCount"}
    for props in by_metric.values():
        assert props["scopes"] == ["scanSystemTopicId"]
        assert props["criteria"]["allOf"][0]["threshold"] == 0
    call = b.parse(b.MAIN)["modules"]["alerts"]["config"]["params"]
    assert b.dotted(call["scanSystemTopicId"]) == "storage.outputs.systemTopicId"
