"""Fuzzing the identifier normalisers: any text gives a canonical identifier or None, never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.identity import address_key, normalise_address, normalise_email, normalise_phone
from schemas.contact_event import Address
from tests.fixtures.fuzz import keys_in, leaked

FUZZ = settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck), database=None)
PHONE_ALPHABET = st.sampled_from(list("0123456789+-()/. xX#*") + ["00", "+32", "(0)", "ext", "\u00a0"])
phone_like = st.lists(PHONE_ALPHABET, max_size=25).map("".join)
email_like = st.builds(
    lambda a, b, c: f"{a}@{b}.{c}", st.text(max_size=12), st.text(max_size=12), st.text(max_size=5)
)
fields = st.none() | st.text(max_size=30)


@FUZZ
@given(raw=st.none() | st.text() | phone_like)
def test_a_phone_number_is_e164_or_none_for_any_text(raw):
    result = normalise_phone(raw)
    assert result is None or (result.startswith("+") and result[1:].isdigit())
    if result is not None:
        assert normalise_phone(result) == result  # canonical: normalising again changes nothing


@FUZZ
@given(raw=st.none() | st.text() | email_like)
def test_an_email_address_is_lower_case_or_none_for_any_text(raw):
    result = normalise_email(raw)
    assert result is None or (result == result.lower() and "@" in result)


@FUZZ
@given(street=fields, number=fields, box=fields, postal=fields, city=fields, name=fields)
def test_an_address_is_tidied_or_none_and_keyed_for_any_text(street, number, box, postal, city, name):
    result = normalise_address(Address(street=street, number=number, box=box, postal_code=postal, city=city))
    if result is not None:
        assert isinstance(address_key(result, name), str)
        assert normalise_address(result) is not None


def test_the_leak_check_finds_an_input_value_in_an_error_message_but_not_a_field_name():
    doc = {"from": {"emailAddress": {"address": "jan.peeters@example.be", "name": "Jan Peeters"}}}
    assert leaked("field from.emailAddress.address: bad jan.peeters@example.be", doc, keys_in(doc)) == {
        "jan.peeters@example.be"
    }
    assert (
        leaked("mail message field from.emailAddress.address: Input should be a string", doc, keys_in(doc))
        == set()
    )
