"""Partly masked identifiers: enough to tell namesakes apart at the desk, too little to contact anyone.

A result list shows these (data minimisation); the full identifiers are shown only for the party
staff actually open, which is an audited look-up of its own.
"""

from __future__ import annotations

import phonenumbers

from handlers.identity import fold
from schemas.timeline import IdentifierView

DOT = "•"
KEEP_LAST_DIGITS = 4


def mask_phone(e164: str) -> str:
    """`+32475123456` → `+32 4•• •• 34 56`: the country code, the first digit and the last four."""
    try:
        number = phonenumbers.parse(e164, None)
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        country = f"+{number.country_code}"
    except phonenumbers.NumberParseException:
        shown, country = e164, ""
    head, rest = shown[: len(country)], shown[len(country):]
    digits = sum(ch.isdigit() for ch in rest)
    out, seen = [], 0
    for ch in rest:
        if ch.isdigit():
            seen += 1
            keep = seen == 1 or seen > digits - KEEP_LAST_DIGITS
            out.append(ch if keep else DOT)
        else:
            out.append(ch)
    return head + "".join(out)


def mask_email(address: str) -> str:
    """`els.vandenbroeck@telenet.be` → `e•••@telenet.be`: the first letter and the domain."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}{DOT * 3}@{domain}" if domain else f"{address[:1]}{DOT * 3}"


def mask_address(label: str | None, key: str) -> str:
    """The street, postal code and town, without the house number and box.

    `key` is the stored address key (`street|number|box|postal code|name`, folded): it says which of
    the label's words are the number and the box.
    """
    parts = key.split("|")
    number, box = (parts[1], parts[2]) if len(parts) > 2 else ("", "")
    words, out, masked = (label or "").split(), [], False
    skip_next = False
    for word in words:
        if skip_next:
            skip_next = False
            continue
        folded = fold(word)
        if box and folded == "bus":
            skip_next = True
            continue
        if number and folded == number and not masked:
            out.append(DOT * 2)
            masked = True
            continue
        out.append(word)
    return " ".join(out)


def masked(identifier: IdentifierView) -> IdentifierView:
    if identifier.type == "phone":
        return IdentifierView(type="phone", value=mask_phone(identifier.value))
    if identifier.type == "email":
        return IdentifierView(type="email", value=mask_email(identifier.value))
    shown = mask_address(identifier.label, identifier.value)
    return IdentifierView(type=identifier.type, value=shown, label=shown)
