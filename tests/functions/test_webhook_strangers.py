"""The webhook stays cheap for strangers (issue 15): bounded handshake echo, every kind of junk item
counted as a discard (never a 500), one log line per request, JSON nested too deep refused."""
from __future__ import annotations

import json
import logging

import pytest

from tests.functions.conftest import built_functions, trigger_message
from tests.functions.test_graph_routes import SUB, active, mail_notification, post, subscription  # noqa: F401


@pytest.fixture
def webhook():
    return built_functions()["graph_webhook"].get_user_function()


def items(*client_states) -> bytes:
    one = json.loads(mail_notification("x"))["value"][0]
    value = [{**one, "clientState": c, "resourceData": {**one["resourceData"], "id": f"m{i}"}}
             for i, c in enumerate(client_states)]
    return json.dumps({"value": value}).encode()


def test_the_handshake_echo_is_bounded_and_never_sniffed(services, webhook):
    ok = webhook(post(b"", validationToken="Validation: Testing client application reachability"))
    assert ok.status_code == 200 and ok.headers["X-Content-Type-Options"] == "nosniff"
    long = webhook(post(b"", validationToken="<script>" + "x" * 5000))
    assert long.status_code == 400 and b"<script>" not in long.get_body()
    assert long.headers["X-Content-Type-Options"] == "nosniff"
    assert services.subscriptions.discards()["oversized_validation_token"] == 1


def test_junk_items_are_each_counted_as_discards_and_the_genuine_one_still_enqueued(
        services, webhook, subscription):  # noqa: F811
    body = items(subscription, "ünïcode-state", 12345, "0" * 64, None)
    unknown = json.loads(mail_notification(subscription, "other"))["value"][0] | {"subscriptionId": "nope"}
    raw = json.loads(body)
    raw["value"] += [unknown, "not an item", [1, 2]]
    response = webhook(post(json.dumps(raw).encode()))
    assert response.status_code == 202
    assert active(services, "mail-notifications") == 1
    discards = {k: v for k, v in services.subscriptions.discards().items() if not k.startswith("tolerated:")}
    # the number 12345 is read as text by the tolerant parser: a wrong clientState like the others
    assert discards == {"bad_client_state": 1, "malformed_item": 2, "wrong_client_state": 3,
                        "unknown_subscription": 1}


def test_a_flood_of_bad_items_writes_one_log_line_for_the_request(services, webhook, caplog):
    caplog.set_level(logging.DEBUG)
    response = webhook(post(items(*["f" * 64] * 500)))
    assert response.status_code == 202
    lines = [r for r in caplog.records if r.name in ("handlers.webhook", "functions.graph_routes")]
    assert len(lines) == 1 and "discarded 500" in lines[0].getMessage()


def test_json_nested_deeper_than_the_limit_is_a_400_not_a_500(services, webhook):
    for body in (b'{"value": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", b'{"value": [' + b'{"a":' * 70
                 + b"1" + b"}" * 70 + b"]}"):
        response = webhook(post(body))
        assert response.status_code == 400
    assert services.subscriptions.discards()["malformed_body"] == 2


@pytest.mark.parametrize("function, entity", [
    ("capture_mail", "mail-notifications"),
    ("capture_call", "call-notifications"),
    ("handle_lifecycle", "lifecycle-notifications"),
    ("record_contact", "contact-events/crm"),
    ("archive_event", "contact-events/archive"),
])
def test_a_queue_message_nested_too_deep_is_a_permanent_malformed_payload(services, function, entity):
    import asyncio
    import inspect

    from errors import PermanentError

    run = built_functions()[function].get_user_function()
    message = trigger_message(b'{"a": ' * 5000 + b"1" + b"}" * 5000, message_id=f"deep-{function}")
    with pytest.raises(PermanentError) as raised:  # plain mode: raised, so the broker dead-letters it
        result = run(message)
        if inspect.isawaitable(result):
            asyncio.run(result)
    assert raised.value.reason == "MalformedPayload"
    with services.store.engine.connect() as conn:
        from sqlalchemy import text

        rows = conn.execute(text("select entity, reason from failure_log")).all()
    assert [tuple(r) for r in rows] == [(entity, "MalformedPayload")]
