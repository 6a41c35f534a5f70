"""The bus contract: one suite, run against the embedded bus and (on request) Azure Service Bus."""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from errors import PermanentError
from handlers.ports.bus import (
    MAX_DELIVERY_REASON,
    TARGET_PROPERTY,
    TTL_EXPIRED_REASON,
    LockLostError,
    OutgoingMessage,
    UnknownEntityError,
)
from tests.contract.bus_backends import SERVICEBUS_ENV, BusBackend, embedded_backend, servicebus_backend

QUEUE = "mail-notifications"
TOPIC = "contact-events"
CRM, ARCHIVE = f"{TOPIC}/crm", f"{TOPIC}/archive"


BACKENDS = [pytest.param("embedded", id="embedded")]
if os.environ.get(SERVICEBUS_ENV):  # collected only when asked for, so the default run stays quiet
    BACKENDS.append(pytest.param("servicebus", id="servicebus", marks=pytest.mark.servicebus))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BusBackend]:
    """Every test runs on the embedded bus, and on Service Bus when SERVICEBUS_TEST_CONNECTION is set."""
    if request.param == "embedded":
        yield from embedded_backend(tmp_path)
    else:
        yield from servicebus_backend()


def message(body: str = "{}", **kwargs) -> OutgoingMessage:
    kwargs.setdefault("message_id", uuid.uuid4().hex)
    return OutgoingMessage(body=body, **kwargs)


def receive_all(b: BusBackend, entity: str, *, dead_letter: bool = False, expect: int = 1):
    """Receive until `expect` messages arrived (or nothing more comes)."""
    got = []
    for _ in range(expect + 2):
        batch = b.bus.receive(
            entity, max_messages=expect - len(got) or 1, max_wait=5 if b.live else 0, dead_letter=dead_letter
        )
        got += batch
        if not batch or len(got) >= expect:
            break
    return got


def test_a_published_message_arrives_with_its_id_subject_properties_and_body(backend: BusBackend) -> None:
    sent = message(
        '{"a": 1}', subject="notification", application_properties={"loket-attempt": 2, "kind": "mail"}
    )
    backend.bus.publish(QUEUE, [sent])
    (got,) = receive_all(backend, QUEUE)
    assert (got.message_id, got.subject, got.body, got.entity) == (
        sent.message_id,
        "notification",
        b'{"a": 1}',
        QUEUE,
    )
    assert got.application_properties["loket-attempt"] == 2 and got.application_properties["kind"] == "mail"
    assert got.delivery_count == 1 and got.content_type == "application/json"
    assert got.lock_token and got.locked_until > backend.now()
    backend.bus.complete(got)


def test_a_completed_message_is_never_delivered_again(backend: BusBackend) -> None:
    backend.bus.publish(QUEUE, [message()])
    (got,) = receive_all(backend, QUEUE)
    backend.bus.complete(got)
    backend.advance(backend.lock_seconds + 1)
    assert backend.bus.receive(QUEUE, max_wait=2 if backend.live else 0) == []


def test_a_locked_message_is_not_given_to_a_second_receiver(backend: BusBackend) -> None:
    backend.bus.publish(QUEUE, [message()])
    (got,) = receive_all(backend, QUEUE)
    assert backend.bus.receive(QUEUE, max_wait=1 if backend.live else 0) == []
    backend.bus.complete(got)


def test_an_abandoned_message_is_delivered_again_with_a_higher_delivery_count(backend: BusBackend) -> None:
    sent = message()
    backend.bus.publish(QUEUE, [sent])
    (first,) = receive_all(backend, QUEUE)
    backend.bus.abandon(first)
    (second,) = receive_all(backend, QUEUE)
    assert second.message_id == sent.message_id
    assert second.delivery_count == first.delivery_count + 1
    backend.bus.complete(second)


def test_a_message_whose_lock_expired_comes_back_and_the_old_lock_cannot_settle_it(
    backend: BusBackend,
) -> None:
    sent = message()
    backend.bus.publish(QUEUE, [sent])
    (first,) = receive_all(backend, QUEUE)
    backend.advance(backend.lock_seconds + 1)
    (again,) = receive_all(backend, QUEUE)
    assert again.message_id == sent.message_id and again.delivery_count == 2
    with pytest.raises(LockLostError):
        backend.bus.complete(first)
    backend.bus.complete(again)
    assert backend.bus.receive(QUEUE) == []


def test_a_renewed_lock_keeps_the_message_from_other_receivers(backend: BusBackend) -> None:
    backend.bus.publish(QUEUE, [message()])
    (got,) = receive_all(backend, QUEUE)
    backend.advance(backend.lock_seconds * 0.6)
    renewed_until = backend.bus.renew_lock(got)
    assert renewed_until > got.locked_until
    backend.advance(backend.lock_seconds * 0.6)
    assert backend.bus.receive(QUEUE) == []
    backend.bus.complete(got)


def test_the_tenth_abandon_dead_letters_with_MaxDeliveryCountExceeded(backend: BusBackend) -> None:
    sent = message()
    backend.bus.publish(QUEUE, [sent])
    max_count = backend.entities.policy.max_delivery_count
    for attempt in range(1, max_count + 1):
        (got,) = receive_all(backend, QUEUE)
        assert got.delivery_count == attempt
        backend.bus.abandon(got)
    assert backend.bus.receive(QUEUE, max_wait=2 if backend.live else 0) == []
    (dead,) = receive_all(backend, QUEUE, dead_letter=True)
    assert dead.message_id == sent.message_id and dead.from_dead_letter
    assert dead.dead_letter_reason == MAX_DELIVERY_REASON
    assert "DeadLetterReason" not in dead.application_properties
    backend.bus.complete(dead)


def test_a_lock_that_expires_on_the_last_delivery_dead_letters_too(backend: BusBackend) -> None:
    backend.bus.publish(QUEUE, [message()])
    for _ in range(backend.entities.policy.max_delivery_count):
        assert receive_all(backend, QUEUE)
        backend.advance(backend.lock_seconds + 1)
    assert backend.bus.receive(QUEUE) == []
    (dead,) = receive_all(backend, QUEUE, dead_letter=True)
    assert dead.dead_letter_reason == MAX_DELIVERY_REASON


def test_dead_lettering_keeps_the_reason_and_description(backend: BusBackend) -> None:
    sent = message(subject="s", application_properties={"kind": "call"})
    backend.bus.publish(QUEUE, [sent])
    (got,) = receive_all(backend, QUEUE)
    backend.bus.dead_letter(got, "ValidationFailed", "field resource missing")
    (dead,) = receive_all(backend, QUEUE, dead_letter=True)
    assert (dead.dead_letter_reason, dead.dead_letter_description) == (
        "ValidationFailed",
        "field resource missing",
    )
    assert dead.application_properties == {"kind": "call"} and dead.subject == "s"
    with pytest.raises(PermanentError):
        backend.bus.dead_letter(dead, "again")
    backend.bus.complete(dead)


def test_a_repeated_message_id_within_the_window_is_dropped(backend: BusBackend) -> None:
    first, repeat = message("first", message_id="same-id"), message("repeat", message_id="same-id")
    backend.bus.publish(QUEUE, [first])
    backend.bus.publish(QUEUE, [repeat, message("other")])
    got = receive_all(backend, QUEUE, expect=3)
    assert sorted(m.body for m in got) == [b"first", b"other"]
    for m in got:
        backend.bus.complete(m)


def test_the_same_message_id_is_accepted_again_after_the_window(backend: BusBackend) -> None:
    backend.bus.publish(QUEUE, [message("first", message_id="same-id")])
    backend.bus.complete(receive_all(backend, QUEUE)[0])
    backend.advance(backend.entities.policy.duplicate_detection_window.total_seconds() + 1)
    backend.bus.publish(QUEUE, [message("later", message_id="same-id")])
    (got,) = receive_all(backend, QUEUE)
    assert got.body == b"later"


def test_a_scheduled_message_is_not_delivered_before_its_time(backend: BusBackend) -> None:
    when = backend.now() + dt.timedelta(seconds=10)
    backend.bus.publish(QUEUE, [message("later", scheduled_enqueue_time=when)])
    assert backend.bus.receive(QUEUE) == []
    counts = backend.eventually(lambda: backend.counts_of(QUEUE), lambda c: c.scheduled == 1)
    assert (counts.active, counts.scheduled) == (0, 1)
    backend.advance(11)
    (got,) = receive_all(backend, QUEUE)
    assert got.body == b"later" and got.enqueued_time >= when - dt.timedelta(seconds=1)
    backend.bus.complete(got)


def test_a_scheduled_topic_message_waits_in_the_topic_then_fans_out(backend: BusBackend) -> None:
    when = backend.now() + dt.timedelta(seconds=10)
    backend.bus.publish(TOPIC, [message("later", scheduled_enqueue_time=when)])
    assert backend.eventually(lambda: backend.counts_of(TOPIC).scheduled, lambda n: n == 1) == 1
    assert backend.bus.receive(CRM) == [] and backend.bus.receive(ARCHIVE) == []
    backend.advance(11)
    assert [m.body for m in receive_all(backend, CRM)] == [b"later"]
    assert [m.body for m in receive_all(backend, ARCHIVE)] == [b"later"]


def test_a_topic_message_reaches_every_subscription(backend: BusBackend) -> None:
    sent = message("event")
    backend.bus.publish(TOPIC, [sent])
    for sub in (CRM, ARCHIVE):
        (got,) = receive_all(backend, sub)
        assert (got.message_id, got.entity) == (sent.message_id, sub)
        backend.bus.complete(got)


def test_loket_target_addresses_one_subscription_only(backend: BusBackend) -> None:
    backend.bus.publish(TOPIC, [message("for crm", application_properties={TARGET_PROPERTY: "crm"})])
    backend.bus.publish(TOPIC, [message("for archive", application_properties={TARGET_PROPERTY: "archive"})])
    assert [m.body for m in receive_all(backend, CRM, expect=2)] == [b"for crm"]
    assert [m.body for m in receive_all(backend, ARCHIVE, expect=2)] == [b"for archive"]


def test_counts_show_active_dead_lettered_and_the_oldest_age(backend: BusBackend) -> None:
    backend.bus.publish(QUEUE, [message("a"), message("b"), message("c")])
    backend.advance(5)
    (got,) = receive_all(backend, QUEUE)
    backend.bus.dead_letter(got, "ValidationFailed")
    counts = backend.eventually(
        lambda: backend.counts_of(QUEUE), lambda c: (c.active, c.dead_lettered) == (2, 1)
    )
    assert (counts.active, counts.dead_lettered, counts.scheduled) == (2, 1, 0)
    assert counts.oldest_active_age >= dt.timedelta(seconds=5)
    crm = backend.counts_of(CRM)
    assert (crm.kind, crm.active, crm.dead_lettered, crm.scheduled, crm.oldest_active_age) == (
        "subscription",
        0,
        0,
        None,
        None,
    )
    assert {c.entity for c in backend.bus.counts()} >= {QUEUE, CRM, ARCHIVE, TOPIC}


def test_peek_shows_messages_without_locking_them(backend: BusBackend) -> None:
    backend.bus.publish(QUEUE, [message("a"), message("b")])
    peeked = backend.eventually(lambda: backend.bus.peek(QUEUE), lambda p: len(p) == 2)
    assert [m.body for m in peeked] == [b"a", b"b"] and all(m.lock_token is None for m in peeked)
    with pytest.raises(LockLostError):
        backend.bus.complete(peeked[0])
    assert len(receive_all(backend, QUEUE, expect=2)) == 2


def test_a_dead_letter_is_resubmitted_to_its_subscription_only_under_a_new_id(backend: BusBackend) -> None:
    sent = message("event", subject="contact.mail", application_properties={"kind": "mail"})
    backend.bus.publish(TOPIC, [sent])
    backend.bus.complete(receive_all(backend, ARCHIVE)[0])
    (got,) = receive_all(backend, CRM)
    backend.bus.dead_letter(got, "StoreRejected", "constraint")
    peeked = backend.eventually(lambda: backend.bus.peek(CRM, dead_letter=True), lambda p: len(p) == 1)
    assert peeked[0].dead_letter_reason == "StoreRejected"
    (dead,) = receive_all(backend, CRM, dead_letter=True)
    result = backend.bus.resubmit(dead)
    assert (result.published_to, result.old_message_id) == (TOPIC, sent.message_id)
    (again,) = receive_all(backend, CRM)
    assert again.message_id == result.new_message_id != sent.message_id
    assert again.body == b"event" and again.subject == "contact.mail" and again.dead_letter_reason is None
    assert again.application_properties[TARGET_PROPERTY] == "crm"
    assert again.application_properties["kind"] == "mail"
    assert again.application_properties["loket-replay-of"] == sent.message_id
    assert backend.bus.receive(ARCHIVE, max_wait=2 if backend.live else 0) == []
    assert backend.bus.receive(CRM, dead_letter=True) == []


def test_an_expired_message_is_dead_lettered_with_TTLExpiredException(backend: BusBackend) -> None:
    backend.bus.publish(QUEUE, [message("short", time_to_live=dt.timedelta(seconds=5))])
    backend.advance(6)
    assert backend.bus.receive(QUEUE, max_wait=2 if backend.live else 0) == []
    (dead,) = receive_all(backend, QUEUE, dead_letter=True)
    assert dead.body == b"short" and dead.dead_letter_reason == TTL_EXPIRED_REASON


def test_an_unknown_entity_is_refused_by_name(backend: BusBackend) -> None:
    with pytest.raises(UnknownEntityError):
        backend.bus.publish("no-such-queue", [message()])
    with pytest.raises(UnknownEntityError):
        backend.bus.receive(f"{TOPIC}/no-such-subscription")


def test_a_waiting_receive_gets_a_message_published_while_it_waits(backend: BusBackend) -> None:
    sent = message("late")
    publisher = threading.Timer(0.3, backend.bus.publish, args=(QUEUE, [sent]))
    publisher.start()
    try:
        got = backend.bus.receive(QUEUE, max_wait=10)
    finally:
        publisher.join()
    assert [m.message_id for m in got] == [sent.message_id]
