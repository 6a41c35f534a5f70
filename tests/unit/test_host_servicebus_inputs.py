"""Service Bus trigger inputs are the real azure.functions / azure.servicebus types, and the local message
actions have the pre-release binding's methods and signatures."""
from __future__ import annotations

import datetime as dt
import inspect
import uuid

import azure.functions as func
import pytest
from azure.servicebus import ServiceBusReceivedMessage
from azurefunctions.extensions.bindings.servicebus import ServiceBusMessageActions
from azurefunctions.extensions.bindings.servicebus.serviceBusMessageActions import SettlementError

from devhost.host_sb_messages import (
    InFlight,
    InFlightRegistry,
    message_actions_class,
    to_sdk_message,
    to_trigger_message,
)
from handlers.ports.bus import ReceivedMessage

AT = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


def received(**changes) -> ReceivedMessage:
    fields = dict(entity="mail-notifications", message_id="m-1", body=b'{"a": 1}', subject="mail",
                  application_properties={"loket-attempt": 2, "kind": "mail"},
                  content_type="application/json", correlation_id="c-1", delivery_count=3,
                  enqueued_time=AT, sequence_number=42, lock_token="bus-token",  # noqa: S106 - not a secret
                  locked_until=AT + dt.timedelta(minutes=1))
    return ReceivedMessage(**{**fields, **changes})


def test_the_ga_trigger_gets_the_full_trigger_message_type():
    msg = to_trigger_message(received())
    assert isinstance(msg, func.ServiceBusMessage)
    assert (msg.message_id, msg.get_body(), msg.delivery_count) == ("m-1", b'{"a": 1}', 3)
    assert msg.application_properties == {"loket-attempt": 2, "kind": "mail"}
    assert msg.subject == msg.label == "mail" and msg.content_type == "application/json"
    assert msg.enqueued_time_utc == AT and msg.sequence_number == 42 and msg.correlation_id == "c-1"
    assert msg.metadata["DeliveryCount"] == 3


def test_the_sdk_type_gets_a_real_received_message_decoded_by_the_extension():
    token = uuid.uuid4()
    msg = to_sdk_message(received(), token)
    assert isinstance(msg, ServiceBusReceivedMessage)
    assert msg.message_id == "m-1" and str(msg) == '{"a": 1}' and msg.lock_token == token
    assert msg.delivery_count == 3 and msg.sequence_number == 42 and msg.enqueued_time_utc == AT
    assert msg.subject == "mail" and msg.content_type == "application/json" and msg.correlation_id == "c-1"
    assert msg.application_properties == {b"loket-attempt": 2, b"kind": b"mail"}


@pytest.mark.parametrize("method", ["complete", "abandon", "deadletter", "defer", "renew_message_lock"])
def test_local_actions_mirror_the_binding_methods(method):
    local = message_actions_class()
    assert issubclass(local, ServiceBusMessageActions)
    theirs = inspect.signature(getattr(ServiceBusMessageActions, method))
    ours = inspect.signature(getattr(local, method))
    assert list(ours.parameters) == list(theirs.parameters)
    assert [p.default for p in ours.parameters.values()] == [p.default for p in theirs.parameters.values()]


class RecordingBus:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def complete(self, message): self.calls.append(("complete", message.message_id))
    def abandon(self, message): self.calls.append(("abandon", message.message_id))
    def dead_letter(self, message, reason, description=""):
        self.calls.append(("dead_letter", message.message_id, reason, description))
    def renew_lock(self, message): return AT + dt.timedelta(minutes=2)


def test_actions_settle_in_flight_messages_once_and_refuse_unknown_tokens():
    bus, registry = RecordingBus(), InFlightRegistry()
    actions = message_actions_class()(bus, registry)
    token = uuid.uuid4()
    registry.add(str(token), InFlight(received(), AT, AT + dt.timedelta(minutes=1)))
    msg = to_sdk_message(received(), token)
    actions.renew_message_lock(msg)
    actions.deadletter(msg, deadletter_reason="InvalidPayload", deadletter_error_description="bad")
    assert bus.calls == [("dead_letter", "m-1", "InvalidPayload", "bad")]
    assert registry.get(str(token)).locked_until == AT + dt.timedelta(minutes=2)
    with pytest.raises(SettlementError):
        actions.complete(msg)  # settled already
    with pytest.raises(SettlementError):
        actions.complete(to_sdk_message(received(), uuid.uuid4()))  # not in flight: as the host refuses
