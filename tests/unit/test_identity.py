"""Identifiers in one canonical form: the same citizen matches whatever the format."""

import pytest

from handlers.identity import fold, normalise_address, normalise_email, normalise_phone
from schemas.contact_event import Address


@pytest.mark.parametrize(
    "raw",
    ["011 43 22 11", "011/43.22.11", "+32 11 43 22 11", "0032 11 43 22 11", "+32 (0)11 43 22 11"],
)
def test_belgian_landline_formats_become_one_e164_number(raw):
    assert normalise_phone(raw) == "+3211432211"


@pytest.mark.parametrize("raw", ["+32 475 12 34 56", "0475 12 34 56", "0032475123456", "0475/12.34.56"])
def test_belgian_mobile_formats_become_one_e164_number(raw):
    assert normalise_phone(raw) == "+32475123456"


@pytest.mark.parametrize("raw", [None, "", "anonymous", "Withheld", "+0123456789", "12"])
def test_withheld_and_invalid_numbers_give_none(raw):
    assert normalise_phone(raw) is None


def test_email_is_lower_cased_and_invalid_email_gives_none():
    assert normalise_email(" Jan.Peeters@Example.BE ") == "jan.peeters@example.be"
    assert normalise_email("not-an-address") is None
    assert normalise_email(None) is None


def test_address_split_number_and_box_and_tidy_postcode():
    address = normalise_address(
        Address(street=" Kerkstraat ", number="12 bus 3", postal_code="B-3580", city="BERINGEN")
    )
    assert address == Address(street="Kerkstraat", number="12", box="3", postal_code="3580", city="Beringen")


def test_fold_ignores_case_and_accents():
    assert fold("Financiën  Désirée") == fold("financien desiree")
