"""The Service Bus adapter with real azure.servicebus messages; only the SDK client edge is mocked."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from types import SimpleNamespace
from unittest import mock

import pytest
from azure.core.exceptions import HttpResponseError
from azure.servicebus import (
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusReceivedMessage,
    ServiceBusSubQueue,
)
from azure.servicebus._pyamqp.message import Header, Message, Properties
from azure.servicebus.exceptions import (
    MessageLockLostError,
    MessageSizeExceededError,
    MessagingEntityNotFoundError,
    ServiceBusAuthorizationError,
    ServiceBusConnectionError,
    ServiceBusServerBusyError,
)
from azure.servicebus.management import ServiceBusAdministrationClient

from adapters.bus.entities import topology
from adapters.bus.servicebus import ServiceBusBus
from adapters.bus.servicebus_admin import admin_from_connection_string
from errors import PermanentError, TransientError
from handlers.ports.bus import LockLostError, OutgoingMessage
from settings import Settings

NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
EMULATOR = (
    "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;"
    "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
)


def sdk_received(
    message_id: str = "m-1",
    *,
    delivery_count: int = 0,
    properties: dict | None = None,
    enqueued: dt.datetime = NOW,
    sequence: int = 7,
    state: int | None = None,
) -> ServiceBusReceivedMessage:
    """A genuine SDK message as the broker would deliver it (bytes keys, broker annotations)."""
    millis = int(enqueued.timestamp() * 1000)
    annotations = {
        b"x-opt-enqueued-time": millis,
        b"x-opt-sequence-number": sequence,
        b"x-opt-locked-until": millis + 60_000,
    }
    if state is not None:
        annotations[b"x-opt-message-state"] = state
    amqp = Message(
        header=Header(delivery_count=delivery_count),
        properties=Properties(
            message_id=message_id.encode(),
            subject=b"contact.mail",
            content_type=b"application/json",
            correlation_id=b"corr-1",
        ),
        application_properties=properties
        if properties is not None
        else {b"kind": b"mail", b"loket-attempt": 2},
        message_annotations=annotations,
        data=[b'{"event": 1}'],
    )
    return ServiceBusReceivedMessage(amqp, receiver=mock.Mock(session=None), lock_token=uuid.uuid4())


@pytest.fixture
def client() -> mock.MagicMock:
    return mock.MagicMock(spec=ServiceBusClient)


@pytest.fixture
def admin() -> mock.MagicMock:
    return mock.MagicMock(spec=ServiceBusAdministrationClient)


@pytest.fixture
def bus(client, admin) -> ServiceBusBus:
    return ServiceBusBus(client, admin, topology(Settings()), SimpleNamespace(now=lambda: NOW))


def sent(sender: mock.MagicMock) -> list[ServiceBusMessage]:
    (messages,), _ = sender.send_messages.call_args
    return messages


def test_publish_sends_the_id_subject_properties_content_type_and_schedule(bus, client) -> None:
    when = NOW + dt.timedelta(minutes=2)
    bus.publish(
        "call-notifications",
        [
            OutgoingMessage(
                '{"x": 1}',
                message_id="call-1:17",
                subject="callRecord",
                application_properties={"loket-attempt": 1},
                scheduled_enqueue_time=when,
            )
        ],
    )
    client.get_queue_sender.assert_called_once_with("call-notifications")
    (message,) = sent(client.get_queue_sender.return_value)
    assert isinstance(message, ServiceBusMessage)
    assert (message.message_id, message.subject, message.content_type) == (
        "call-1:17",
        "callRecord",
        "application/json",
    )
    assert message.application_properties == {"loket-attempt": 1}
    assert message.scheduled_enqueue_time_utc == when
    assert b"".join(message.body) == b'{"x": 1}'


def test_publish_to_the_topic_uses_a_topic_sender(bus, client) -> None:
    bus.publish("contact-events", [OutgoingMessage(b"{}", message_id="e-1")])
    client.get_topic_sender.assert_called_once_with("contact-events")
    client.get_queue_sender.assert_not_called()


def test_a_received_message_has_str_properties_a_delivery_count_from_one_and_its_entity(bus, client) -> None:
    receiver = client.get_subscription_receiver.return_value
    receiver.receive_messages.return_value = [sdk_received(delivery_count=0)]
    (got,) = bus.receive("contact-events/crm", max_messages=5)
    assert client.get_subscription_receiver.call_args.args == ("contact-events", "crm")
    assert client.get_subscription_receiver.call_args.kwargs["prefetch_count"] == 0
    assert (got.entity, got.message_id, got.subject, got.body) == (
        "contact-events/crm",
        "m-1",
        "contact.mail",
        b'{"event": 1}',
    )
    assert got.application_properties == {"kind": "mail", "loket-attempt": 2}
    assert got.delivery_count == 1 and got.sequence_number == 7 and got.enqueued_time == NOW
    assert got.lock_token and got.locked_until == NOW + dt.timedelta(minutes=1)


def test_a_dead_letter_shows_reason_and_description_but_not_the_broker_properties(bus, client) -> None:
    receiver = client.get_queue_receiver.return_value
    receiver.receive_messages.return_value = [
        sdk_received(
            properties={
                b"DeadLetterReason": b"MaxDeliveryCountExceeded",
                b"DeadLetterErrorDescription": b"10 attempts",
                b"kind": b"mail",
            }
        )
    ]
    (dead,) = bus.receive("mail-notifications", dead_letter=True)
    assert client.get_queue_receiver.call_args.kwargs["sub_queue"] == ServiceBusSubQueue.DEAD_LETTER
    assert (dead.dead_letter_reason, dead.dead_letter_description) == (
        "MaxDeliveryCountExceeded",
        "10 attempts",
    )
    assert dead.application_properties == {"kind": "mail"} and dead.from_dead_letter


def test_settling_calls_the_receiver_with_the_sdk_message_and_the_reason(bus, client) -> None:
    receiver = client.get_queue_receiver.return_value
    first, second = sdk_received("a"), sdk_received("b")
    receiver.receive_messages.return_value = [first, second]
    a, b = bus.receive("mail-notifications", max_messages=2)
    bus.complete(a)
    bus.dead_letter(b, "ValidationFailed", "no resource")
    receiver.complete_message.assert_called_once_with(first)
    receiver.dead_letter_message.assert_called_once_with(
        second, reason="ValidationFailed", error_description="no resource"
    )
    with pytest.raises(LockLostError):
        bus.abandon(a)  # settled already: never reaches the SDK
    receiver.abandon_message.assert_not_called()


def test_resubmit_sends_a_clean_clone_to_the_topic_before_completing_the_dead_letter(bus, client) -> None:
    dlq = client.get_subscription_receiver.return_value
    original = sdk_received(
        "evt-1",
        properties={
            b"DeadLetterReason": b"StoreRejected",
            b"DeadLetterErrorDescription": b"constraint",
            b"kind": b"mail",
        },
    )
    dlq.receive_messages.return_value = [original]
    order = mock.Mock()
    order.attach_mock(client.get_topic_sender.return_value.send_messages, "send")
    order.attach_mock(dlq.complete_message, "complete")
    (dead,) = bus.receive("contact-events/crm", dead_letter=True)
    result = bus.resubmit(dead)
    (clone,) = sent(client.get_topic_sender.return_value)
    assert client.get_topic_sender.call_args.args == ("contact-events",)
    assert clone.message_id == result.new_message_id == "evt-1:replay:1"
    assert clone.application_properties == {
        "kind": "mail",
        "loket-target": "crm",
        "loket-replay-of": "evt-1",
        "loket-replay-attempt": 1,
        "loket-last-dead-letter-reason": "StoreRejected",
    }
    assert (clone.subject, clone.content_type, clone.correlation_id) == (
        "contact.mail",
        "application/json",
        "corr-1",
    )
    assert b"".join(clone.body) == b'{"event": 1}'
    assert [c[0] for c in order.mock_calls] == ["send", "complete"]


def test_a_failed_resubmit_leaves_the_dead_letter_in_place(bus, client) -> None:
    client.get_queue_receiver.return_value.receive_messages.return_value = [sdk_received()]
    client.get_queue_sender.return_value.send_messages.side_effect = ServiceBusServerBusyError(message="busy")
    (dead,) = bus.receive("mail-notifications", dead_letter=True)
    with pytest.raises(TransientError):
        bus.resubmit(dead)
    client.get_queue_receiver.return_value.complete_message.assert_not_called()


@pytest.mark.parametrize(
    ("sdk_error", "expected"),
    [
        (ServiceBusServerBusyError(message="busy"), TransientError),
        (ServiceBusConnectionError(message="reset"), TransientError),
        (MessageSizeExceededError(message="too big"), PermanentError),
        (MessagingEntityNotFoundError(message="gone"), PermanentError),
        (ServiceBusAuthorizationError(message="no role"), PermanentError),
    ],
    ids=["server-busy", "connection", "too-large", "no-entity", "unauthorised"],
)
def test_sdk_errors_on_publish_become_loket_errors_with_the_cause_kept(
    bus, client, sdk_error, expected
) -> None:
    client.get_queue_sender.return_value.send_messages.side_effect = sdk_error
    with pytest.raises(expected) as caught:
        bus.publish("mail-notifications", [OutgoingMessage(b"{}", message_id="m")])
    assert caught.value.__cause__ is sdk_error and type(caught.value) is expected


def test_a_lost_lock_on_complete_becomes_LockLostError(bus, client) -> None:
    receiver = client.get_queue_receiver.return_value
    receiver.receive_messages.return_value = [sdk_received()]
    receiver.complete_message.side_effect = MessageLockLostError(message="expired")
    (got,) = bus.receive("mail-notifications")
    with pytest.raises(LockLostError):
        bus.complete(got)


@pytest.mark.parametrize(
    ("status", "expected"), [(503, TransientError), (429, TransientError), (403, PermanentError)]
)
def test_admin_http_errors_on_counts_are_mapped_by_status(bus, admin, status, expected) -> None:
    error = HttpResponseError(message="admin")
    error.status_code = status
    admin.get_queue_runtime_properties.side_effect = error
    with pytest.raises(expected):
        bus.counts()


def test_counts_come_from_runtime_properties_and_the_oldest_active_peeked_message(bus, client, admin) -> None:
    queue_props = SimpleNamespace(
        active_message_count=1, dead_letter_message_count=2, scheduled_message_count=3
    )
    admin.get_queue_runtime_properties.return_value = queue_props
    admin.get_subscription_runtime_properties.return_value = SimpleNamespace(
        active_message_count=0, dead_letter_message_count=4
    )
    admin.get_topic_runtime_properties.return_value = SimpleNamespace(scheduled_message_count=5)
    scheduled = sdk_received("s", enqueued=NOW - dt.timedelta(hours=1), sequence=1, state=2)
    active = sdk_received("a", enqueued=NOW - dt.timedelta(seconds=90), sequence=2)
    client.get_queue_receiver.return_value.peek_messages.side_effect = lambda **kw: (
        [scheduled, active] if kw["sequence_number"] == 1 else []
    )
    counts = {c.entity: c for c in bus.counts()}
    mail = counts["mail-notifications"]
    assert (mail.active, mail.dead_lettered, mail.scheduled) == (1, 2, 3)
    assert mail.oldest_active_age == dt.timedelta(seconds=90)
    crm = counts["contact-events/crm"]
    assert (crm.kind, crm.dead_lettered, crm.scheduled, crm.oldest_active_age) == (
        "subscription",
        4,
        None,
        None,
    )
    assert counts["contact-events"].scheduled == 5


def test_the_namespace_and_client_id_settings_pick_the_managed_identity() -> None:
    settings = Settings(
        BUS_BACKEND="servicebus",
        ServiceBusConnection__fullyQualifiedNamespace="loket.servicebus.windows.net",
        ServiceBusConnection__clientId="0000-client",
    )
    with (
        mock.patch("azure.identity.DefaultAzureCredential") as credential,
        mock.patch("adapters.bus.servicebus.ServiceBusClient") as sb_client,
        mock.patch("adapters.bus.servicebus.ServiceBusAdministrationClient") as sb_admin,
    ):
        ServiceBusBus.from_settings(settings, topology(settings), SimpleNamespace(now=lambda: NOW))
    credential.assert_called_once_with(managed_identity_client_id="0000-client")
    assert sb_client.call_args.args == ("loket.servicebus.windows.net", credential.return_value)
    assert sb_admin.call_args.args == ("loket.servicebus.windows.net", credential.return_value)


def test_the_emulator_connection_string_builds_offline_with_an_http_admin_endpoint() -> None:
    admin = admin_from_connection_string(EMULATOR)
    assert admin._impl._client._base_url == "http://localhost:5300"
    bus = ServiceBusBus.from_connection_string(
        EMULATOR, topology(Settings()), SimpleNamespace(now=lambda: NOW)
    )
    assert bus.client.fully_qualified_namespace == "localhost"
    bus.close()


def test_a_receive_waiting_on_one_entity_does_not_hold_up_a_publish(bus, client) -> None:
    release = threading.Event()
    client.get_queue_receiver.return_value.receive_messages.side_effect = lambda **_: release.wait(10) and []
    waiting = threading.Thread(target=bus.receive, args=("mail-notifications",), kwargs={"max_wait": 10})
    waiting.start()
    try:
        bus.publish("mail-notifications", [OutgoingMessage(b"{}", message_id="m")])
        assert waiting.is_alive()  # the publish went through while the receive still waited
        client.get_queue_sender.return_value.send_messages.assert_called_once()
    finally:
        release.set()
        waiting.join()
