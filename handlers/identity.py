"""Citizen identifiers in one canonical form, so the same person matches across channels."""
from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from schemas.contact_event import Address

DEFAULT_REGION = "BE"


def normalise_email(raw: str | None) -> str | None:
    """Lower-cased, syntax-checked address; None when absent or invalid.

    Validated offline (`check_deliverability=False`): there is no DNS here or in many networks.
    """
    if not raw or not raw.strip():
        return None
    try:
        checked = validate_email(raw.strip(), check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


def normalise_phone(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 (`+3211432211`) for a valid number in any usual Belgian or international form, else None.

    `0032…` and `+32 (0)…` are handled by phonenumbers; withheld or non-numeric callers give None.
    """
    if not raw or not any(ch.isdigit() for ch in raw):
        return None
    text = raw.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    text = text.replace("(0)", "")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a name or street, for matching only (never stored)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped).strip().casefold()


# Words Flemish and Dutch surnames write apart or together ("Van den Broeck" / "Vandenbroeck",
# "D'Hondt" / "Dhondt", "Ver Eecke" / "Vereecke"): a query glues them to the word that follows.
PARTICLES = frozenset(
    "van von de den der des du da di del della le la les d t s ten ter te op in uit vande vanden vander ver"
    .split()
)


def name_key(text: str) -> str:
    """A name folded to letters and digits only: what the store searches (`parties.name_folded`).

    Spaces, hyphens and apostrophes go, so particles written apart or together give one key:
    "Van den Broeck" and "Vandenbroeck" are both `vandenbroeck`.
    """
    return re.sub(r"[\W_]+", "", fold(text))


def name_groups(text: str) -> list[str]:
    """The parts of a typed name, each a key the person's name key must contain, in any order.

    Particles are glued to the word after them ("van den broeck nele" → `vandenbroeck`, `nele`), so
    surname first, particles apart or together, accents and case all find the same person.
    """
    groups, pending = [], ""
    for word in re.split(r"[\W_]+", fold(text)):
        if not word:
            continue
        if word in PARTICLES:
            pending += word
            continue
        groups.append(pending + word)
        pending = ""
    if pending:
        groups.append(pending)
    return groups


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def name_similarity(query: str, display_name: str) -> float:
    """How well a typed name matches a person's name, 0–1, in any word order (pg_trgm's measure:
    shared trigrams over all trigrams, on the name's parts sorted so word order does not count)."""
    a = set().union(*(_trigrams(g) for g in sorted(name_groups(query)))) if query.strip() else set()
    b = set().union(*(_trigrams(g) for g in sorted(name_groups(display_name)))) if display_name else set()
    return len(a & b) / len(a | b) if a | b else 0.0


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip(" ,")
    return value or None


def normalise_address(address: Address | None) -> Address | None:
    """Whitespace-tidy street, number, box, postcode and city; the number and box upper-cased.

    A Belgian postcode is four digits; a number like `12 bus 3` or `12/3` becomes number 12, box 3.
    """
    if address is None:
        return None
    number, box = _clean(address.number), _clean(address.box)
    if number and not box:
        match = re.fullmatch(r"(\d+[A-Za-z]?)\s*(?:/|bus|bte|b\.?)\s*(\w+)", number, flags=re.IGNORECASE)
        if match:
            number, box = match.group(1), match.group(2)
    postal = _clean(address.postal_code)
    if postal:
        postal = postal.replace(" ", "").upper().removeprefix("B-")
    street, city = _clean(address.street), _clean(address.city)
    if not any((street, number, postal, city)):
        return None
    return Address(
        street=street.title() if street and street.isupper() else street,
        number=number.upper() if number else None,
        box=box.upper() if box else None,
        postal_code=postal,
        city=city.title() if city and city.isupper() else city,
        country=(address.country or "BE").upper(),
    )


def address_key(address: Address, display_name: str | None) -> str:
    """The store's identifier for an address + name (folded), unique per person at an address."""
    parts = [address.street or "", address.number or "", address.box or "", address.postal_code or ""]
    return fold("|".join(parts) + "|" + (display_name or ""))
