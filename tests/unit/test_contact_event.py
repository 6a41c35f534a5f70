"""The contact event: frozen, strict, never echoing personal input, with pinned identities."""
import datetime as dt
import uuid

import pytest
from pydantic import ValidationError

from handlers.event_ids import LOKET_NS, bus_message_id, mail_event_id, phone_event_id, post_event_id
from schemas.contact_event import ContactEvent

NOW = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)


def make_event(**overrides) -> ContactEvent:
    fields = dict(
        event_id=phone_event_id("call-1"),
        channel="phone",
        direction="inbound",
        occurred_at=NOW,
        outcome="answered",
        citizen={"phone": "+32475123456", "display_name": "Jan Peeters"},
        departments=["Burgerzaken"],
        source={"system": "graph-callrecords", "id": "call-1", "version": 2},
        captured_at=NOW,
    )
    fields.update(overrides)
    return ContactEvent.model_validate(fields)


def test_the_namespace_is_pinned_because_changing_it_rekeys_every_contact():
    assert LOKET_NS == uuid.UUID("e53b4093-6580-4244-a725-29810a712039")
    assert phone_event_id("abc") == uuid.uuid5(LOKET_NS, "phone:abc")
    assert mail_event_id("<m@x>") == uuid.uuid5(LOKET_NS, "mail:<m@x>")
    assert mail_event_id("<m@x>", "A@B.be") == uuid.uuid5(LOKET_NS, "mail:<m@x>#a@b.be")
    assert post_event_id("ff" * 32) == uuid.uuid5(LOKET_NS, "post:" + "ff" * 32)


def test_an_event_round_trips_through_json_unchanged():
    event = make_event()
    assert ContactEvent.from_json(event.to_json()) == event
    assert event.schema_version == 1


def test_the_event_is_frozen():
    event = make_event()
    with pytest.raises(ValidationError):
        event.outcome = "missed"


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError):
        make_event(colour="blue")


def test_a_validation_error_never_echoes_the_personal_value():
    with pytest.raises(ValidationError) as info:
        make_event(citizen={"phone": "0475 12 34 56 not e164"})
    assert "0475" not in str(info.value)


def test_naive_times_are_refused_and_aware_times_become_utc():
    with pytest.raises(ValidationError):
        make_event(occurred_at=dt.datetime(2026, 1, 1, 9, 0))
    brussels = dt.timezone(dt.timedelta(hours=1))
    event = make_event(occurred_at=dt.datetime(2026, 1, 1, 10, 0, tzinfo=brussels))
    assert event.occurred_at == dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
    assert event.occurred_at.utcoffset() == dt.timedelta(0)


def test_bus_message_id_separates_versions_and_mailboxes_but_not_redeliveries():
    v1 = make_event(source={"system": "graph-callrecords", "id": "c", "version": 1})
    v2 = make_event(source={"system": "graph-callrecords", "id": "c", "version": 2})
    box_a = make_event(source={"system": "graph-mail", "id": "c", "mailboxes": ["a@stad.example"]})
    box_b = make_event(source={"system": "graph-mail", "id": "c", "mailboxes": ["b@stad.example"]})
    assert bus_message_id(v1) != bus_message_id(v2)
    assert bus_message_id(box_a) != bus_message_id(box_b)
    assert bus_message_id(v1) == bus_message_id(make_event(source=v1.source.model_dump()))
    assert len(bus_message_id(v1)) <= 128  # Service Bus limit on message ids
