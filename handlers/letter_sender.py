"""Who sent a scanned letter: from its sidecar, else mined from its Dutch text, never the city itself."""

from __future__ import annotations

import re

import phonenumbers

from handlers.identity import fold, normalise_address, normalise_email, normalise_phone
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import Address, Citizen
from schemas.scan_sidecar import SidecarSender

# Linear on any input (issue 15): an address starts where a token starts (the look-behind), and the
# possessive quantifiers never give back what they took, so a 60-million-character word costs one
# pass instead of one pass per character. `tests/unit/test_pattern_linearity.py` holds every pattern
# here to that.
_EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]++@[\w-]++(?:\.[\w-]++)+")
# Lines longer than this are no letterhead, address or signature line; the line patterns never see
# them, so their cost per line is bounded whatever a sender puts on one line.
MAX_LINE = 200
# Phone numbers in a letterhead share a line ("Tel. 011 43 22 11  GSM 0475 …"); split so the matcher
# sees one number per piece instead of one long run of digits it rejects.
_PHONE_SPLIT = re.compile(r"\s{2,}|\t|[|•·;]")
_POSTCODE_CITY = r"(?:B-?\s?)?(?P<postal>[1-9]\d{3})\s+(?P<city>[^\W\d_][\w'’. -]*[^\W\d_.])"
_STREET = (
    r"(?P<street>[^\W\d_][\w'’. -]*?[^\W\d_.]\.?)\s+(?P<number>\d{1,4}\s?[A-Za-z]?)"
    r"(?:\s*(?:bus|bte\.?|b\.|/)\s*(?P<box>[A-Za-z0-9]{1,5}))?"
)
_POSTCODE_LINE = re.compile(rf"^{_POSTCODE_CITY}$")
_STREET_LINE = re.compile(rf"^{_STREET}$", re.IGNORECASE)
_ONE_LINE_ADDRESS = re.compile(rf"^{_STREET}\s*[,–-]\s*{_POSTCODE_CITY}$", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^(?:met\s+)?(?:vriendelijke|beste|hartelijke|collegiale)\s+groet(?:en)?\b"
    r"|^(?:met\s+de\s+meeste\s+)?hoogacht(?:end|ing)\b|^groeten\b|^mvg\b",
    re.IGNORECASE,
)
_TITLES = re.compile(r"^(?:(?:de\s+heer|dhr\.?|mevrouw|mevr\.?|mw\.?|meneer|mr\.?|dr\.?|ir\.?)\s+)+", re.I)
# Lines that sit where a name would but belong to the city or the letter's form.
_NOT_A_NAME = frozenset(
    "aan stad gemeente college burgemeester schepenen dienst betreft onderwerp geachte datum bijlage"
    " bijlagen t.a.v. ter attentie stadhuis kenmerk afzender cc ocmw bestuur team beste".split()
)


def sender_from_sidecar(sender: SidecarSender | None, policy: CapturePolicy) -> Citizen | None:
    """The post room's index data, normalised and with the city's own identifiers dropped."""
    if sender is None:
        return None
    address = None
    if sender.address is not None:
        raw = sender.address.model_dump()
        raw["country"] = raw["country"] or "BE"
        address = normalise_address(Address(**raw))
        if address is not None and is_city_address(address, policy):
            address = None
    return _citizen(
        _tidy_name(sender.name),
        _usable_email(sender.email, policy),
        _usable_phone(sender.phone, policy),
        address,
    )


def sender_from_text(text: str, policy: CapturePolicy, *, ocr: bool = False) -> Citizen | None:
    """Mine a letter's text for its sender; None when nothing identifies one (the letter goes to triage).

    OCR misreads e-mail addresses (a dropped `wout.`, `818@` for `mertens818@`) far more often than
    phone numbers, which phonenumbers validates; and an e-mail outranks a phone in matching. So from
    OCR'd text an address is kept only when no phone number was found: a wrong identifier is worse
    than a missing one.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if len(line) <= MAX_LINE]
    address, letterhead_name = find_address(lines, policy)
    name = find_signed_name(lines) or letterhead_name
    phone = find_phone(lines, policy)
    email = None if ocr and phone else find_email(text, policy)
    return _citizen(name, email, phone, address)


def _citizen(
    name: str | None, email: str | None, phone: str | None, address: Address | None
) -> Citizen | None:
    citizen = Citizen(display_name=name, email=email, phone=phone, address=address)
    return citizen if citizen.has_identifier() else None


def _usable_email(raw: str | None, policy: CapturePolicy) -> str | None:
    email = normalise_email(raw)
    if email is None or policy.is_internal_email(email) or policy.is_excluded_email(email):
        return None
    return email


def _usable_phone(raw: str | None, policy: CapturePolicy) -> str | None:
    phone = normalise_phone(raw)
    return None if phone is None or policy.is_city_number(phone) else phone


def find_email(text: str, policy: CapturePolicy) -> str | None:
    """The first valid address outside the city's domains and exclusions."""
    for match in _EMAIL.finditer(text):
        email = _usable_email(match.group(0), policy)
        if email:
            return email
    return None


def find_phone(lines: list[str], policy: CapturePolicy) -> str | None:
    """The first valid Belgian (or international) number that is not one of the city's own."""
    for line in lines:
        for piece in _PHONE_SPLIT.split(line):
            for match in phonenumbers.PhoneNumberMatcher(piece, "BE", leniency=phonenumbers.Leniency.VALID):
                phone = _usable_phone(match.raw_string, policy)
                if phone:
                    return phone
    return None


def find_address(lines: list[str], policy: CapturePolicy) -> tuple[Address | None, str | None]:
    """The first street + number over postcode + city that is not the city's, and the name above it."""
    for i in range(len(lines)):
        found = _address_at(lines, i)
        if found is None:
            continue
        parts, name_at = found
        address = normalise_address(
            Address(
                street=parts["street"],
                number=(parts["number"] or "").replace(" ", ""),
                box=parts["box"],
                postal_code=parts["postal"],
                city=parts["city"],
            )
        )
        if address is None or is_city_address(address, policy):
            continue
        return address, (_tidy_name(lines[name_at]) if name_at >= 0 else None)
    return None, None


def _address_at(lines: list[str], i: int) -> tuple[dict[str, str | None], int] | None:
    """Address parts ending at line i (on one line, or street above postcode) and the name line's index."""
    one_line = _ONE_LINE_ADDRESS.match(lines[i])
    if one_line:
        return one_line.groupdict(), i - 1
    postal = _POSTCODE_LINE.match(lines[i])
    street = _STREET_LINE.match(lines[i - 1]) if postal and i > 0 else None
    if postal and street:
        return {**street.groupdict(), **postal.groupdict()}, i - 2
    return None


def is_city_address(address: Address, policy: CapturePolicy) -> bool:
    """Street, number and postcode of one of the city's own addresses (box and spelling of case ignored)."""
    return any(
        fold(address.street or "") == fold(own.street)
        and (address.number or "").upper() == own.number.upper()
        and address.postal_code == own.postal_code
        for own in policy.city.addresses
    )


def find_signed_name(lines: list[str]) -> str | None:
    """The name under a Dutch sign-off ("Met vriendelijke groeten", "Hoogachtend", …)."""
    for i, line in enumerate(lines):
        if _SIGN_OFF.match(line):
            for candidate in lines[i + 1 : i + 4]:  # a scanned signature can leave a line of noise
                name = _tidy_name(candidate)
                if name:
                    return name
    return None


def _tidy_name(line: str | None) -> str | None:
    """A person's name as written (titles dropped), or None when the line does not look like one."""
    if not line:
        return None
    name = _TITLES.sub("", re.sub(r"\s+", " ", line).strip(" ,.;:"))
    words = name.split(" ")
    if not 2 <= len(words) <= 6 or len(name) > 60 or any(ch.isdigit() or ch in "@:/()" for ch in name):
        return None
    if any(w.casefold() in _NOT_A_NAME for w in words) or not all(_is_name_word(w) for w in words):
        return None
    if not any(w[0].isupper() for w in words):
        return None
    return name.title() if name.isupper() else name


def _is_name_word(word: str) -> bool:
    return bool(word) and all(ch.isalpha() or ch in "-'’." for ch in word) and word[0].isalpha()
