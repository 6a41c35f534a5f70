"""graph_webhook and graph_lifecycle, called as built user functions with real azure.functions requests."""

from __future__ import annotations

import datetime as dt
import json

import azure.functions as func
import pytest

from adapters.store.subscriptions import SubscriptionEntry
from handlers.client_state import client_state_for, new_nonce
from tests.functions.conftest import built_functions

SUB = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07"
MAILBOX = "6d2f0a11-0002-4a6b-8c1d-000000000002"


@pytest.fixture
def webhook():
    return built_functions()["graph_webhook"].get_user_function()


@pytest.fixture
def subscription(services):
    nonce = new_nonce()
    expires = services.now() + dt.timedelta(days=2)
    services.subscriptions.save(
        SubscriptionEntry(SUB, f"users/{MAILBOX}/messages", nonce, expires), services.now()
    )
    return client_state_for(services.client_state_key, nonce)


def post(body: bytes, **params) -> func.HttpRequest:
    return func.HttpRequest(
        "POST",
        "/api/graph/notifications",
        headers={"Content-Type": "application/json"},
        params=params,
        route_params={},
        body=body,
    )


def mail_notification(client_state: str, message_id: str = "AAMkAD1=") -> bytes:
    return json.dumps(
        {
            "value": [
                {
                    "subscriptionId": SUB,
                    "clientState": client_state,
                    "changeType": "created",
                    "resource": f"Users/{MAILBOX}/Messages/{message_id}",
                    "resourceData": {"@odata.type": "#Microsoft.Graph.Message", "id": message_id},
                    "tenantId": "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b",
                    "subscriptionExpirationDateTime": "2026-11-30T10:00:00Z",
                }
            ]
        }
    ).encode()


def active(services, entity: str) -> int:
    return next(c.active for c in services.bus.counts() if c.entity == entity)


def test_the_validation_handshake_echoes_the_decoded_token_as_text(services, webhook):
    for route in ("graph_webhook", "graph_lifecycle"):
        response = built_functions()[route].get_user_function()(post(b"", validationToken="a b+c/d"))
        assert response.status_code == 200
        assert response.mimetype == "text/plain"
        assert response.get_body() == b"a b+c/d"


def test_a_genuine_mail_notification_is_enqueued_once_with_its_message_id(services, webhook, subscription):
    assert webhook(post(mail_notification(subscription))).status_code == 202
    assert webhook(post(mail_notification(subscription))).status_code == 202  # Graph delivers twice
    assert active(services, "mail-notifications") == 1
    [message] = services.bus.peek("mail-notifications")
    assert json.loads(message.body)["message_id"] == "AAMkAD1="


def test_a_wrong_client_state_or_unknown_subscription_is_discarded(services, webhook, subscription):
    assert webhook(post(mail_notification("forged"))).status_code == 202
    unknown = mail_notification(subscription).replace(SUB.encode(), b"00000000-0000-0000-0000-000000000000")
    assert webhook(post(unknown)).status_code == 202
    assert active(services, "mail-notifications") == 0


def test_malformed_json_is_a_400_and_nothing_is_enqueued(services, webhook):
    response = webhook(post(b'{"value": [ {'))
    assert response.status_code == 400
    assert all(not c.active for c in services.bus.counts() if c.active is not None)


def test_a_body_over_one_mebibyte_is_a_413(services, webhook, subscription):
    response = webhook(post(b" " * (1024 * 1024 + 1)))
    assert response.status_code == 413


def test_a_call_notification_is_scheduled_so_the_record_settles(services, webhook):
    nonce = new_nonce()
    services.subscriptions.save(
        SubscriptionEntry(
            "call-sub", "communications/callRecords", nonce, services.now() + dt.timedelta(days=2)
        ),
        services.now(),
    )
    body = json.dumps(
        {
            "value": [
                {
                    "subscriptionId": "call-sub",
                    "clientState": client_state_for(services.client_state_key, nonce),
                    "changeType": "created",
                    "resource": "communications/callRecords/rec-1",
                    "resourceData": {"@odata.type": "#Microsoft.Graph.callrecord", "id": "rec-1"},
                }
            ]
        }
    ).encode()
    assert webhook(post(body)).status_code == 202
    queue = next(c for c in services.bus.counts() if c.entity == "call-notifications")
    assert (queue.active, queue.scheduled) == (0, 1)


class FlakyBus:
    """The real bus behind a fault: the first `failures` publishes raise TransientError."""

    def __init__(self, bus, failures: int) -> None:
        self.bus, self.failures, self.calls = bus, failures, 0

    def publish(self, entity, messages):
        self.calls += 1
        if self.calls <= self.failures:
            from errors import TransientError

            raise TransientError("bus busy")
        self.bus.publish(entity, messages)

    def __getattr__(self, name):
        return getattr(self.bus, name)


def test_a_momentary_bus_failure_is_retried_within_the_request(services, webhook, subscription):
    real = services.bus
    services.bus = FlakyBus(real, failures=2)
    try:
        assert webhook(post(mail_notification(subscription))).status_code == 202
    finally:
        services.bus = real
    assert active(services, "mail-notifications") == 1


def test_a_bus_that_stays_down_gets_a_503_so_graph_redelivers(services, webhook, subscription):
    real = services.bus
    services.bus = FlakyBus(real, failures=10)
    try:
        response = webhook(post(mail_notification(subscription)))
    finally:
        services.bus = real
    assert response.status_code == 503
    assert active(services, "mail-notifications") == 0
