"""Does a log name a citizen? Every identifier the ground truth and the store know (e-mail, phone in the
forms people write it, names) is looked for in each line, also with spaces, dots and dashes squeezed out."""

from __future__ import annotations

import itertools
import re

from sqlalchemy import select

from devhost.tenant.day_people import FIRST, LAST

SQUEEZE = re.compile(r"[\s./-]")


def phone_forms(e164: str) -> set[str]:
    """+32475123456, 0032475123456 and 0475123456 (spaced forms are caught by squeezing the line)."""
    return {e164, "00" + e164[1:], "0" + e164[3:]}


def citizen_values(truth: list[dict], engine) -> set[str]:
    """Every citizen identifier of the day: truth and store, names in the store, and every first + last
    name the tenant's population draws from."""
    from adapters.store.tables import Party, PartyIdentifier

    values: set[str] = {f"{first} {last}" for first, last in itertools.product(FIRST, LAST)}
    for row in truth:
        citizen = row.get("citizen") or {}
        values |= {citizen["email"]} if citizen.get("email") else set()
        values |= phone_forms(citizen["phone"]) if citizen.get("phone") else set()
        values |= {row["recipient"]} if row.get("recipient") else set()
    with engine.connect() as conn:
        for kind, value in conn.execute(select(PartyIdentifier.type, PartyIdentifier.value)):
            values |= phone_forms(value) if kind == "phone" else {value} if kind == "email" else set()
        values |= {name for (name,) in conn.execute(select(Party.display_name)) if name and len(name) >= 5}
    return values


def leaks(lines: list[str], values: set[str]) -> list[tuple[str, str]]:
    """(value, line) for each line that names a citizen. Numbers and addresses are also looked for with
    spaces, dots and dashes squeezed out of the line; names only with runs of spaces collapsed (squeezed,
    a short name would turn up by chance inside base64 ids)."""
    wanted = [
        (v, " ".join(v.lower().split()), SQUEEZE.sub("", v).lower() if _identifier(v) else None)
        for v in values
    ]
    found = []
    for line in lines:
        spaced = " ".join(line.lower().split())
        flat = SQUEEZE.sub("", spaced)
        found += [
            (v, line)
            for v, plain, squeezed in wanted
            if plain in spaced or (squeezed is not None and squeezed in flat)
        ]
    return found


def _identifier(value: str) -> bool:
    return "@" in value or any(c.isdigit() for c in value)
