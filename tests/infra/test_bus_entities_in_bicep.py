"""design.md's Service Bus entities are in Bicep with its settings, and so is every one a function binds."""
from __future__ import annotations

import re

import azure.functions as func
import pytest

from settings import Settings
from tests.infra import bicep_model as b

DESIGN_QUEUES = {"mail-notifications", "call-notifications", "lifecycle-notifications"}
DESIGN_TOPICS = {"contact-events": {"crm", "archive"}}
SETTING_REF = re.compile(r"^%(?P<name>[^%]+)%$")


def design_filter(subscription: str) -> str:
    return f"[loket-target] IS NULL OR [loket-target] = '{subscription}'"


def assert_delivery_settings(entity: dict) -> None:
    assert entity["maxDeliveryCount"] == 10, entity["name"]
    assert entity["deadLetteringOnMessageExpiration"] is True, entity["name"]
    assert entity["requiresSession"] is False, entity["name"]


def test_exactly_design_md_queues_and_topics_exist():
    queues, topics = b.servicebus_entities()
    assert set(queues) == DESIGN_QUEUES
    assert {name: {s["name"] for s in t["subscriptions"]} for name, t in topics.items()} == DESIGN_TOPICS


def test_queues_dead_letter_after_ten_deliveries_and_on_expiry_with_duplicate_detection():
    queues, _ = b.servicebus_entities()
    for queue in queues.values():
        assert_delivery_settings(queue)
        assert queue["requiresDuplicateDetection"] is True


def test_the_topic_detects_duplicates_and_its_subscriptions_dead_letter_like_queues():
    _, topics = b.servicebus_entities()
    topic = topics["contact-events"]
    assert topic["requiresDuplicateDetection"] is True
    for sub in topic["subscriptions"]:
        assert_delivery_settings(sub)


def test_each_subscription_replaces_its_default_rule_by_the_loket_target_filter():
    _, topics = b.servicebus_entities()
    for sub in topics["contact-events"]["subscriptions"]:
        (rule,) = sub["rules"]
        assert rule["name"] == "$Default", "an added rule would OR with the default 1=1 rule"
        assert rule["filterType"] == "SqlFilter"
        assert rule["sqlFilter"]["sqlExpression"] == design_filter(sub["name"])


def test_the_entity_names_bicep_outputs_are_the_settings_defaults():
    doc = b.app("servicebus")
    defaults = Settings()
    assert b.resolve(doc, "mailNotificationsQueue") == defaults.mail_notifications_queue
    assert b.resolve(doc, "callNotificationsQueue") == defaults.call_notifications_queue
    assert b.resolve(doc, "lifecycleNotificationsQueue") == defaults.lifecycle_notifications_queue
    assert b.resolve(doc, "contactEventsTopic") == defaults.contact_events_topic


# ---- whatever function_app.py registers ------------------------------------------------------


def functions_of(app: func.FunctionApp) -> list:
    """The app's functions; get_functions() may only be called once per app in azure-functions 1.x."""
    try:
        return app.get_functions()
    except ValueError:
        return [builder.build(app.auth_level) for builder in app._function_builders]


def setting_value(expression: str) -> str:
    """`%NAME%` -> the value Azure gives NAME (the Settings default when Bicep passes it through)."""
    match = SETTING_REF.match(expression)
    if not match:
        return expression
    name = match["name"]
    if name not in b.app_settings():
        return ""  # binding_problems has named the missing setting already
    for field in Settings.model_fields.values():
        if field.alias == name:
            return field.default
    value = b.app_settings()[name]
    assert isinstance(value, str), f"%{name}% has no literal value to check"
    return value


def binding_problems(app: func.FunctionApp) -> list[str]:
    """Why the bindings of `app` would not find their entities, containers or connections in Azure."""
    queues, topics = b.servicebus_entities()
    containers = {c["name"] for c in b.resources_of(
        b.app("storage"), "Microsoft.Storage/storageAccounts/blobServices/containers").values()}
    settings = b.app_settings()
    problems = []
    for fn in functions_of(app):
        for binding in fn.get_bindings():
            data = binding.get_dict_repr()
            where = f"{fn.get_function_name()}.{data.get('name')}"
            for key, value in data.items():
                if isinstance(value, str) and SETTING_REF.match(value) and value.strip("%") not in settings:
                    problems.append(f"{where}: {key}={value} is not set in Bicep")
            if data["type"] in ("serviceBusTrigger", "serviceBus"):
                problems += servicebus_problems(where, data, queues, topics, settings)
            if data["type"] in ("blobTrigger", "blob"):
                container = setting_value(data["path"]).split("/", 1)[0]
                if container not in containers:
                    problems.append(f"{where}: container {container} not in storage.bicep")
                if f"{data['connection']}__blobServiceUri" not in settings:
                    problems.append(f"{where}: connection {data['connection']} has no blobServiceUri")
            if data["type"] == "blobTrigger" and data.get("source") != "EventGrid":
                problems.append(f"{where}: Flex Consumption runs blob triggers only with source=EventGrid")
    return problems


def servicebus_problems(where: str, data: dict, queues: dict, topics: dict, settings: dict) -> list[str]:
    problems = []
    if f"{data.get('connection')}__fullyQualifiedNamespace" not in settings:
        problems.append(f"{where}: connection {data.get('connection')} has no fullyQualifiedNamespace")
    if "queueName" in data:
        if setting_value(data["queueName"]) not in queues:
            problems.append(f"{where}: queue {data['queueName']} not in servicebus.bicep")
    else:
        topic = topics.get(setting_value(data["topicName"]))
        if topic is None:
            problems.append(f"{where}: topic {data['topicName']} not in servicebus.bicep")
        elif "subscriptionName" in data and setting_value(data["subscriptionName"]) not in {
            s["name"] for s in topic["subscriptions"]
        }:
            problems.append(f"{where}: subscription {data['subscriptionName']} not in servicebus.bicep")
    return problems


def test_every_entity_container_and_connection_function_app_binds_exists_in_bicep():
    from function_app import app

    assert functions_of(app), "function_app.py registers no function"
    assert binding_problems(app) == []


@pytest.fixture
def sample_app() -> func.FunctionApp:
    """A stand-in app binding design.md's entities the way the capture functions will."""
    app = func.FunctionApp()

    bus = "ServiceBusConnection"

    @app.service_bus_queue_trigger("msg", queue_name="%MAIL_NOTIFICATIONS_QUEUE%", connection=bus)
    @app.service_bus_topic_output("out", topic_name="%CONTACT_EVENTS_TOPIC%", connection=bus)
    def capture_mail(msg, out) -> None: ...

    @app.service_bus_topic_trigger("msg", topic_name="%CONTACT_EVENTS_TOPIC%", subscription_name="crm",
                                   connection=bus)
    def record_contact(msg) -> None: ...

    @app.blob_trigger("blob", path="scanned-post/{name}", connection="ScanStorage",
                      source=func.BlobSource.EVENT_GRID)
    def capture_letter(blob) -> None: ...

    return app


def test_the_check_accepts_design_md_bindings(sample_app):
    assert binding_problems(sample_app) == []


def test_the_check_names_an_entity_a_setting_and_a_container_that_bicep_lacks(sample_app):
    @sample_app.service_bus_queue_trigger("msg", queue_name="%PARKING_QUEUE%",
                                          connection="ServiceBusConnection")
    def park(msg) -> None: ...

    @sample_app.service_bus_topic_trigger("msg", topic_name="contact-events", subscription_name="reports",
                                          connection="ServiceBusConnection")
    def report(msg) -> None: ...

    @sample_app.blob_trigger("blob", path="inbox/{name}", connection="OtherStorage")
    def other(blob) -> None: ...

    problems = "\n".join(binding_problems(sample_app))
    assert "%PARKING_QUEUE%" in problems
    assert "subscription reports" in problems
    assert "container inbox" in problems and "OtherStorage" in problems
    assert "other.blob: Flex Consumption runs blob triggers only with source=EventGrid" in problems
