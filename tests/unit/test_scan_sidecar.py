"""The scanner sidecar: tolerant of what scanners add, strict and silent about what it cannot read."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from errors import PermanentError
from schemas.scan_sidecar import BAD_SIDECAR, parse_sidecar
from tests.fixtures.post import POST_FIXTURES as POST


def test_a_full_sidecar_is_read_with_numbers_as_text_and_unknown_fields_ignored() -> None:
    sidecar = parse_sidecar((POST / "sidecar_full.pdf.json").read_bytes())
    assert sidecar.sender is not None and sidecar.sender.address is not None
    assert sidecar.sender.name == "Marie Janssens"
    assert sidecar.sender.address.number == "45"
    assert sidecar.sender.address.postal_code == "3582"
    assert sidecar.tray == "financien"
    assert sidecar.reference == "POST-2026-004711"
    assert sidecar.pages == 2


def test_received_at_with_an_offset_is_kept_as_the_same_instant_in_utc() -> None:
    sidecar = parse_sidecar(b'{"received_at": "2026-11-26T09:15:00+01:00"}')
    assert sidecar.received_at == dt.datetime(2026, 11, 26, 8, 15, tzinfo=dt.UTC)


def test_a_date_without_time_or_zone_is_midnight_in_belgium() -> None:
    sidecar = parse_sidecar(b'{"received_at": "2026-07-01"}')
    assert sidecar.received_at == dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC)


def test_camel_case_keys_from_other_scanners_are_accepted() -> None:
    sidecar = parse_sidecar(
        b'{"receivedAt": "2026-11-26T08:00:00Z", "sender": {"address": {"postalCode": "3580"}}}'
    )
    assert sidecar.received_at is not None
    assert sidecar.sender and sidecar.sender.address and sidecar.sender.address.postal_code == "3580"


def test_an_empty_object_is_a_valid_sidecar_with_nothing_in_it() -> None:
    sidecar = parse_sidecar(b"{}")
    assert sidecar.sender is None and sidecar.tray is None and sidecar.received_at is None


def test_a_byte_order_mark_from_windows_tools_is_tolerated() -> None:
    assert parse_sidecar(b'\xef\xbb\xbf{"tray": "onthaal"}').tray == "onthaal"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"sender": {"name": ', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b'["tray", "onthaal"]', "JSON object"),
        (b'{"pages": -2}', "pages"),
        (b'{"received_at": "eergisteren"}', "received_at"),
        (b'{"sender": "Jan Peeters"}', "sender"),
    ],
)
def test_a_bad_sidecar_is_a_permanent_error_that_names_the_problem(raw: bytes, expected: str) -> None:
    with pytest.raises(PermanentError) as caught:
        parse_sidecar(raw)
    assert expected in str(caught.value)
    assert caught.value.reason == BAD_SIDECAR


def test_an_invalid_field_error_never_echoes_the_personal_value() -> None:
    raw = json.dumps({"sender": {"name": ["Jan Peeters"], "email": {"x": "jan.peeters@telenet.be"}}}).encode()
    with pytest.raises(PermanentError) as caught:
        parse_sidecar(raw)
    message = str(caught.value)
    assert "sender.name" in message and "sender.email" in message
    assert "Peeters" not in message and "telenet" not in message
