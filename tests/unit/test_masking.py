"""Masked identifiers tell namesakes apart without giving away a way to contact them."""

import pytest

from handlers.identity import address_key
from handlers.masking import mask_address, mask_email, mask_phone, masked
from schemas.contact_event import Address
from schemas.timeline import IdentifierView


@pytest.mark.parametrize(("e164", "shown"), [
    ("+32475123456", "+32 4•• •• 34 56"),
    ("+3211432211", "+32 1• •• 22 11"),
    ("+31612345678", "+31 6 ••••5678"),
])
def test_a_phone_shows_its_country_first_digit_and_last_four(e164, shown):
    assert mask_phone(e164) == shown


def test_an_email_shows_its_first_letter_and_domain():
    assert mask_email("els.vandenbroeck@telenet.be") == "e•••@telenet.be"


def test_an_address_shows_street_postal_code_and_town_but_not_number_or_box():
    address = Address(street="Kerkstraat", number="12", box="3", postal_code="3580", city="Beringen")
    key = address_key(address, "Eva Stevens")
    assert mask_address("Kerkstraat 12 bus 3 3580 Beringen", key) == "Kerkstraat •• 3580 Beringen"


def test_a_masked_view_keeps_nothing_of_the_full_value():
    view = masked(IdentifierView(type="email", value="eva@skynet.be"))
    assert "eva@" not in view.value and view.label is None
