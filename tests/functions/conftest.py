"""Services on a temporary data dir (embedded bus, migrated SQLite store) and the built functions."""
from __future__ import annotations

import datetime as dt
import uuid

import azure.functions as func
import pytest
from azure.functions.servicebus import ServiceBusMessage as TriggerMessage

import bootstrap
from adapters.clock import MovableClock
from adapters.store.migrate import upgrade
from functions import blueprints
from settings import Settings


@pytest.fixture
def services(tmp_path):
    settings = Settings(LOKET_DATA_DIR=tmp_path, CALL_SETTLE_SECONDS=5)
    upgrade(settings.database_url)
    built = bootstrap.build(settings, clock=MovableClock.install(tmp_path))
    bootstrap.set_services(built)
    yield built
    bootstrap.set_services(None)
    built.close()


def built_functions(mode: str = "plain") -> dict:
    """The app's functions as the host indexes them (azure-platform.md §3.1)."""
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    for blueprint in blueprints(mode):
        app.register_functions(blueprint)
    built = [builder.build(app.auth_level) for builder in app._function_builders]
    return {f.get_function_name(): f for f in built}


def trigger_message(body: bytes, message_id: str | None = None, **properties) -> TriggerMessage:
    """The trigger-side Service Bus message the Functions worker hands a plain function."""
    return TriggerMessage(
        body=body, message_id=message_id or uuid.uuid4().hex, application_properties=properties,
        user_properties={}, delivery_count=1, enqueued_time_utc=dt.datetime.now(dt.UTC),
        content_type="application/json", lock_token=str(uuid.uuid4()),
    )


class FakeActions:
    """Stands in for ServiceBusMessageActions (a gRPC client that only exists inside the worker)."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def complete(self, message) -> None:
        self.calls.append(("complete", message.message_id))

    def abandon(self, message) -> None:
        self.calls.append(("abandon", message.message_id))

    def deadletter(self, message, deadletter_reason=None, deadletter_error_description=None) -> None:
        self.calls.append(("deadletter", message.message_id, deadletter_reason))
