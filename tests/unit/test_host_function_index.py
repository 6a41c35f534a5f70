"""The local host reads triggers and bindings off the FunctionApp itself and resolves %SETTING% values."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import azure.functions as func
import pytest

from devhost.function_index import BlobSpec, HttpSpec, ServiceBusSpec, TimerSpec, index_app, resolve
from errors import ConfigurationError
from settings import Settings

FIXTURE_APP = Path(__file__).resolve().parents[1] / "fixtures" / "host_app" / "function_app.py"


@pytest.fixture(scope="module")
def fixture_app() -> func.FunctionApp:
    spec = importlib.util.spec_from_file_location("host_fixture_app_index", FIXTURE_APP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.app


def test_http_functions_keep_route_methods_and_auth_level_with_the_app_level_as_default(fixture_app):
    index = index_app(fixture_app, Settings())
    assert index["echo"].trigger == HttpSpec("items/{id}", ("GET", "POST"), "anonymous")
    assert index["timeline"].trigger == HttpSpec("parties/{id}/timeline", ("GET",), "function")
    assert index["echo"].trigger_arg == "req"


def test_a_queue_name_expression_is_resolved_from_the_settings_alias(fixture_app):
    index = index_app(fixture_app, Settings(MAIL_NOTIFICATIONS_QUEUE="other-mail"))
    spec = index["on_mail"].trigger
    assert isinstance(spec, ServiceBusSpec)
    assert spec.entity == spec.queue_name == "other-mail"
    assert spec.connection == "ServiceBusConnection" and not spec.sdk_type and spec.auto_complete


def test_a_topic_trigger_with_the_sdk_type_is_recognised_as_actions_mode(fixture_app):
    spec = index_app(fixture_app, Settings()).get("on_contact").trigger
    assert isinstance(spec, ServiceBusSpec)
    assert spec.entity == "contact-events/crm" and spec.subscription_name == "crm"
    assert spec.sdk_type and not spec.auto_complete and not spec.many


def test_blob_and_timer_triggers_keep_their_path_connection_source_and_schedule(fixture_app):
    index = index_app(fixture_app, Settings())
    letter = BlobSpec("scanned-post/{name}", "scanned-post", "ScanStorage", "EventGrid")
    assert index["on_letter"].trigger == letter
    assert index["every_five_minutes"].trigger == TimerSpec("0 */5 * * * *", False)


def test_the_app_can_be_indexed_again(fixture_app):
    assert index_app(fixture_app, Settings()).keys() == index_app(fixture_app, Settings()).keys()


def test_a_missing_setting_fails_naming_it():
    with pytest.raises(ConfigurationError) as caught:
        resolve("%NOT_A_LOKET_SETTING%", Settings(), "some_function")
    assert caught.value.key == "NOT_A_LOKET_SETTING" and "some_function" in str(caught.value)


def test_a_setting_outside_the_settings_class_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FIXTURE_TIMER_SCHEDULE", "0 0 * * * *")
    assert resolve("%FIXTURE_TIMER_SCHEDULE%", Settings(), "f") == "0 0 * * * *"


def test_a_timer_schedule_expression_is_resolved_too(monkeypatch):
    monkeypatch.setenv("FIXTURE_TIMER_SCHEDULE", "30 * * * * *")
    app = func.FunctionApp()

    @app.timer_trigger(arg_name="t", schedule="%FIXTURE_TIMER_SCHEDULE%")
    def tick(t: func.TimerRequest) -> None: ...

    assert index_app(app, Settings())["tick"].trigger == TimerSpec("30 * * * * *", False)


def test_a_batch_trigger_is_marked_many():
    app = func.FunctionApp()

    @app.service_bus_queue_trigger(arg_name="msgs", queue_name="q", connection="c",
                                   cardinality=func.Cardinality.MANY)
    def batch(msgs: list[func.ServiceBusMessage]) -> None: ...

    spec = index_app(app, Settings())["batch"].trigger
    assert isinstance(spec, ServiceBusSpec) and spec.many


def test_triggers_the_host_cannot_run_are_left_out():
    app = func.FunctionApp()

    @app.event_grid_trigger(arg_name="event")
    def grid(event: func.EventGridEvent) -> None: ...

    assert index_app(app, Settings()) == {}


def test_a_binding_the_host_cannot_provide_fails_at_start_naming_the_function():
    app = func.FunctionApp()

    @app.route(route="x")
    @app.service_bus_queue_output(arg_name="out", queue_name="q", connection="c")
    def publisher(req: func.HttpRequest, out: func.Out[str]) -> func.HttpResponse: ...

    with pytest.raises(ValueError, match="publisher.*serviceBus"):
        index_app(app, Settings())
