"""GET /api/ops/queues: figures, dead-letter reasons from the failure log, traffic and a health verdict."""

from __future__ import annotations

import pytest

from handlers.ports.bus import OutgoingMessage
from tests.functions.conftest import built_functions
from tests.functions.ops_support import OPERATOR, body, install_verifier, poison, request, token


@pytest.fixture
def queues(services):
    install_verifier(services)
    return built_functions()["ops_queues"].get_user_function()


def rows(response) -> dict:
    return {r["entity"]: r for r in body(response)["entities"]}


def test_an_idle_bus_is_ok_with_every_queue_subscription_and_topic_listed(services, queues):
    response = queues(request("GET", "ops/queues", key=services.api_key))
    assert response.status_code == 200
    report = body(response)
    assert report["health"] == "ok"
    assert set(rows(response)) == {
        "mail-notifications",
        "call-notifications",
        "lifecycle-notifications",
        "contact-events/crm",
        "contact-events/archive",
        "contact-events",
        "scanned-post",  # letters that could not be captured: none, so ok
    }


def test_a_poisoned_message_shows_with_loket_s_reason_instead_of_the_broker_s_generic_one(services, queues):
    poison(services, reason="MalformedPayload")
    mail = rows(queues(request("GET", "ops/queues", key=services.api_key)))["mail-notifications"]
    assert mail["dead_lettered"] == 1
    assert mail["dead_letter_reasons"] == {"MalformedPayload": 1}
    assert mail["health"] == "warning" and "dead_letters" in mail["health_reasons"]


def test_a_broker_reason_other_than_max_delivery_count_is_shown_as_is(services, queues):
    services.bus.publish("call-notifications", [OutgoingMessage(b"{}", "c-1")])
    (got,) = services.bus.receive("call-notifications")
    services.bus.dead_letter(got, "UnsupportedChangeType")
    call = rows(queues(request("GET", "ops/queues", key=services.api_key)))["call-notifications"]
    assert call["dead_letter_reasons"] == {"UnsupportedChangeType": 1}


def test_messages_in_and_out_over_the_window_are_counted(services, queues):
    services.bus.publish("lifecycle-notifications", [OutgoingMessage(b"{}", f"l-{i}") for i in range(3)])
    (first,) = services.bus.receive("lifecycle-notifications")
    services.bus.complete(first)
    lifecycle = rows(queues(request("GET", "ops/queues", key=services.api_key)))["lifecycle-notifications"]
    assert (lifecycle["incoming"], lifecycle["outgoing"], lifecycle["active"]) == (3, 1, 2)


def test_an_old_message_nobody_takes_turns_the_verdict_critical(services, queues):
    services.bus.publish("mail-notifications", [OutgoingMessage(b"{}", "stuck")])
    services.clock.advance(20 * 60)
    response = queues(request("GET", "ops/queues", key=services.api_key))
    mail = rows(response)["mail-notifications"]
    assert mail["oldest_active_age_seconds"] >= 1200
    assert mail["health"] == "critical"
    assert {"oldest_age", "stalled"} <= set(mail["health_reasons"])
    assert body(response)["health"] == "critical"


def test_thresholds_come_from_settings(services, queues):
    services.settings = services.settings.model_copy(
        update={"queue_oldest_age_warning_seconds": 10, "queue_oldest_age_critical_seconds": 10_000}
    )
    services.bus.publish("mail-notifications", [OutgoingMessage(b"{}", "slow")])
    services.clock.advance(60)
    mail = rows(queues(request("GET", "ops/queues", key=services.api_key)))["mail-notifications"]
    assert (mail["health"], mail["health_reasons"]) == ("warning", ["oldest_age"])


def test_a_staff_token_is_refused_and_an_operator_token_is_served(services, queues):
    assert queues(request("GET", "ops/queues")).status_code == 401
    assert queues(request("GET", "ops/queues", bearer=token("Loket.Staff"))).status_code == 403
    assert queues(request("GET", "ops/queues", bearer=token(*OPERATOR))).status_code == 200
