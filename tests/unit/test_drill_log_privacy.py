"""The drills' privacy check sees a citizen named in a structured log field, not only in the message."""

from __future__ import annotations

import logging

from drills.host import StructuredFormatter
from drills.privacy import leaks


def line(message: str, **fields) -> str:
    record = logging.LogRecord("handlers.crm", logging.WARNING, __file__, 1, message, (), None)
    record.__dict__.update(fields)
    return StructuredFormatter("%(levelname)s %(name)s: %(message)s").format(record)


def test_a_citizen_in_an_extra_field_is_written_to_the_line_and_found() -> None:
    written = line("identity conflict flagged for review", party_a=3, email="els.peeters@telenet.be")
    assert '"party_a": 3' in written
    assert [value for value, _ in leaks([written], {"els.peeters@telenet.be"})] == ["els.peeters@telenet.be"]


def test_a_phone_number_in_a_field_is_found_in_the_form_people_write_it() -> None:
    written = line("call captured", caller="0475 12 34 56")
    assert leaks([written], {"0475123456"})


def test_a_line_without_fields_is_the_plain_operator_line() -> None:
    assert line("host started") == "WARNING handlers.crm: host started"
