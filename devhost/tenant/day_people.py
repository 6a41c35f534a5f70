"""The people of the fictional city's working day: citizens with Belgian numbers and addresses, the
colleagues who answer them, and the city's mailboxes, queues and trays read from the sample policy.

The policy is read as plain YAML data: the tenant never imports Loket's schemas (it must not learn
Loket's assumptions), it only knows the city's directory as an operator would write it down.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

POLICY = Path(__file__).resolve().parents[2] / "policy" / "stad.example.yaml"
ASSISTANT_ID = "9e133cac-5238-4d1e-aaa0-d8ff4ca23f4e"  # the conferencing assistant of real CQ records

FIRST = (
    "Els An Jan Pieter Sofie Tom Marie Luc Karen Bart Nele Wim Lotte Koen Hilde Dirk Ines Joris "
    "Eva Stijn Fien Ruben Greet Lars Emma Noah Julie Wout Leen Sander"
).split()
LAST = (
    "Janssens Peeters Maes Jacobs Mertens Willems Claes Goossens Wouters Vermeulen Hendrickx "
    "Aerts Lenaerts Geerts Vandenbroeck Smets Stevens Cools Vos Bosmans"
).split()
STREETS = (
    "Kerkstraat Stationsstraat Molenstraat Schoolstraat Dorpsstraat Lindestraat Koolmijnlaan "
    "Paalsesteenweg Heldenplein Vijverstraat Beverlosesteenweg Koerselsesteenweg"
).split()
TOWNS = (("3580", "Beringen"), ("3581", "Beverlo"), ("3582", "Koersel"), ("3583", "Paal"))
MAIL_DOMAINS = ("telenet.be", "gmail.com", "skynet.be", "proximus.be", "hotmail.com")
LANDLINE_BLOCKS = ("42", "45", "52", "53", "54")  # Beringen zone 011, never the city's 011 43 0x xx


@dataclass(frozen=True)
class Citizen:
    first: str
    last: str
    email: str
    phone: str  # E.164
    street: str
    number: str
    postal_code: str
    city: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def national_phone(self) -> str:
        """The number as a Belgian writes it on a letter: 0475 12 34 56 or 011 45 22 11."""
        local = "0" + self.phone[3:]
        if local.startswith("04"):
            return f"{local[:4]} {local[4:6]} {local[6:8]} {local[8:]}"
        return f"{local[:3]} {local[3:5]} {local[5:7]} {local[7:]}"


@dataclass(frozen=True)
class Colleague:
    id: str
    name: str
    upn: str


@dataclass(frozen=True)
class City:
    domain: str
    mailboxes: tuple[dict, ...]  # {address, user_id, department}
    queues: tuple[dict, ...]  # {resource_account_id, kind, name, department}
    trays: dict[str, str]
    form_sender: str
    colleagues: tuple[Colleague, ...]
    text_rules: dict = field(default_factory=dict)  # the policy's stored_text: default, per_department

    def text_rule(self, departments: list[str]) -> str:
        """The strictest of none | subject | preview among the departments (what the policy promises)."""
        order = ["none", "subject", "preview"]
        default = self.text_rules.get("default", "preview")
        per = self.text_rules.get("per_department") or {}
        return min([per.get(d, default) for d in departments] or [default], key=order.index)

    def mailbox(self, department: str) -> dict:
        return next(m for m in self.mailboxes if m["department"] == department)

    def queues_of(self, kind: str) -> list[dict]:
        return [q for q in self.queues if q["kind"] == kind]

    def agents_of(self, department: str) -> list[Colleague]:
        """Two colleagues per department, stable (their ids are derived from the department's place)."""
        names = sorted({m["department"] for m in self.mailboxes} | {q["department"] for q in self.queues})
        start = 2 * names.index(department)
        return [self.colleagues[(start + k) % len(self.colleagues)] for k in (0, 1)]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _colleagues(domain: str) -> tuple[Colleague, ...]:
    names = (
        "An Maes",
        "Pieter Claes",
        "Sofie Jacobs",
        "Tom Peeters",
        "Lien Aerts",
        "Bram Goossens",
        "Greet Willems",
        "Koen Smets",
        "Nadia El Amrani",
        "Jeroen Cools",
        "Katrien Vos",
        "Ward Stevens",
    )
    return tuple(
        Colleague(
            f"a7c1e2d3-{n + 1:04d}-4b5c-9d8e-1f2a3b4c5d{n + 1:02d}",
            name,
            f"{_ascii(name.split()[0])}.{_ascii(' '.join(name.split()[1:]))}@{domain}",
        )
        for n, name in enumerate(names)
    )


def load_city(path: Path = POLICY) -> City:
    """The sample city's directory from the policy file (read as data)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    domain = raw["tenant"]["domain"]
    forms = raw.get("form_senders") or [{"address": f"noreply@{domain}"}]
    return City(
        domain=domain,
        mailboxes=tuple(raw["mailboxes"]),
        queues=tuple(raw["call_queues"]),
        trays=dict(raw["scan_trays"]),
        form_sender=forms[0]["address"],
        colleagues=_colleagues(domain),
        text_rules=dict(raw.get("stored_text") or {}),
    )


def new_citizen(rng: random.Random) -> Citizen:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    postal, town = rng.choice(TOWNS)
    if rng.random() < 0.6:
        phone = f"+324{rng.choice('6789')}{rng.randrange(10**7):07d}"
    else:
        phone = f"+3211{rng.choice(LANDLINE_BLOCKS)}{rng.randrange(10**4):04d}"
    tag = rng.randrange(100, 1000)
    return Citizen(
        first=first,
        last=last,
        email=f"{_ascii(first)}.{_ascii(last)}{tag}@{rng.choice(MAIL_DOMAINS)}",
        phone=phone,
        street=rng.choice(STREETS),
        number=str(rng.randrange(1, 180)),
        postal_code=postal,
        city=town,
    )


class Population:
    """Citizens who come back: about a third of contacts are from someone the city has seen today."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self.seen = rng, []

    def pick(self) -> Citizen:
        if self.seen and self.rng.random() < 0.35:
            return self.rng.choice(self.seen)
        citizen = new_citizen(self.rng)
        self.seen.append(citizen)
        return citizen
