"""Mail of the working day in Graph's message shape: citizens writing to service mailboxes, the city
replying from sent items, the website's form, and the machine mail that is no contact at all
(auto-replies, bounces, colleagues writing to each other)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from devhost.tenant.day_people import Citizen, City
from devhost.tenant.odata import iso

SUBJECTS = {
    "Onthaal": ("Vraag over openingsuren stadhuis", "Afspraak maken", "Vraag over de nieuwe parking"),
    "Burgerzaken": (
        "Aanvraag identiteitskaart",
        "Verhuis doorgeven",
        "Uittreksel geboorteakte",
        "Aanvraag bewonerskaart parkeren",
        "Rijbewijs verloren",
    ),
    "Financiën": ("Vraag over mijn belastingaanslag", "Afbetalingsplan retributie", "Factuur ophaling"),
    "Omgeving": (
        "Omgevingsvergunning tuinhuis",
        "Melding kapotte straatverlichting",
        "Vraag over ophaling grofvuil",
        "Bomen kappen in de tuin",
    ),
    "Sociale dienst": ("Vraag over leefloon", "Afspraak maatschappelijk werker", "Huurwaarborg"),
    "Bibliotheek": ("Boek verlengen", "Lidkaart verloren", "Voorleesuurtje zaterdag"),
}
PREVIEWS = (
    "Beste, ik had graag wat meer uitleg gekregen. Alvast bedankt.",
    "Goeiedag, kan u mij laten weten wat ik hiervoor moet meebrengen? Groeten",
    "Hallo, ik heb vorige week al gebeld maar nog geen antwoord gekregen.",
)


def address(email: str, name: str | None = None) -> dict:
    return {"emailAddress": {"name": name or email, "address": email}}


def imid(domain: str) -> str:
    if domain == "gmail.com":
        return f"<CA+{uuid.uuid4().hex[:24]}@mail.gmail.com>"
    return f"<{uuid.uuid4().hex[:20].upper()}@{domain}>"


def message(
    *,
    mid: str,
    subject: str,
    sender: dict,
    to: list[dict],
    at: dt.datetime,
    cc: list[dict] | None = None,
    reply_to: list[dict] | None = None,
    preview: str = "",
    headers: list[tuple[str, str]] = (),
    conversation: str | None = None,
    **extra,
) -> dict:
    """A Graph message (the tenant fills id, folder, change key)."""
    body = {
        "internetMessageId": mid,
        "conversationId": conversation or f"AAQkAGI2T{uuid.uuid4().hex[:24]}=",
        "subject": subject,
        "from": sender,
        "sender": sender,
        "toRecipients": to,
        "ccRecipients": cc or [],
        "bccRecipients": [],
        "replyTo": reply_to or [],
        "receivedDateTime": iso(at),
        "sentDateTime": iso(at - dt.timedelta(seconds=4)),
        "bodyPreview": preview,
        "body": {"contentType": "text", "content": preview},
        "hasAttachments": False,
        "importance": "normal",
        "isRead": False,
        "isDraft": False,
        "internetMessageHeaders": _headers(mid, headers),
        "webLink": f"https://outlook.office365.com/owa/?ItemID={uuid.uuid4().hex}&viewmodel=ReadMessageItem",
    }
    body.update(extra)
    return body


def _headers(mid: str, extra: list[tuple[str, str]]) -> list[dict]:
    names = {k.lower() for k, _ in extra}
    base = [("Message-ID", mid)] + (
        [] if "content-type" in names else [("Content-Type", "text/plain; charset=utf-8")]
    )
    return [{"name": k, "value": v} for k, v in (*base, *extra)]


def subject_for(rng: random.Random, department: str) -> str:
    return rng.choice(SUBJECTS.get(department) or SUBJECTS["Onthaal"])


def from_citizen(
    rng: random.Random, citizen: Citizen, box: dict, at: dt.datetime, extra_to: list[dict] = ()
) -> dict:
    return message(
        mid=imid(citizen.email.rsplit("@", 1)[1]),
        subject=subject_for(rng, box["department"]),
        sender=address(citizen.email, citizen.name),
        at=at,
        preview=rng.choice(PREVIEWS),
        to=[address(box["address"], box["department"]), *extra_to],
    )


def reply(rng: random.Random, citizen: Citizen, box: dict, city: City, at: dt.datetime) -> dict:
    """The city answers from the service mailbox; a colleague in cc is no second contact."""
    cc = [address(rng.choice(city.agents_of(box["department"])).upn)] if rng.random() < 0.4 else []
    return message(
        mid=imid(f"AM0PR02MB{rng.randrange(1000, 9999)}.eurprd02.prod.outlook.com"),
        subject="RE: " + subject_for(rng, box["department"]),
        sender=address(box["address"], box["department"]),
        at=at,
        cc=cc,
        to=[address(citizen.email, citizen.name)],
        preview="Beste, hierbij ons antwoord op uw vraag.",
    )


def form(rng: random.Random, citizen: Citizen, box: dict, city: City, at: dt.datetime) -> dict:
    """The website's contact form: sent by noreply@, the citizen in Reply-To, to the chosen service."""
    return message(
        mid=imid(f"web01.{city.domain}"),
        subject="Contactformulier: " + subject_for(rng, box["department"]),
        sender=address(city.form_sender, "Website Stad"),
        at=at,
        to=[address(box["address"], box["department"])],
        reply_to=[address(citizen.email, citizen.name)],
        preview=f"Naam: {citizen.name} Bericht: {rng.choice(PREVIEWS)}",
    )


def auto_reply(citizen: Citizen, box: dict, at: dt.datetime) -> dict:
    """A citizen's out-of-office answering the city (RFC 3834)."""
    return message(
        mid=imid(citizen.email.rsplit("@", 1)[1]),
        subject="Automatisch antwoord: RE: uw vraag",
        sender=address(citizen.email, citizen.name),
        at=at,
        to=[address(box["address"])],
        preview="Ik ben afwezig tot maandag.",
        headers=[("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")],
    )


def bounce(citizen: Citizen, box: dict, at: dt.datetime) -> dict:
    """A non-delivery report from the citizen's provider."""
    domain = citizen.email.rsplit("@", 1)[1]
    return message(
        mid=imid(f"mx.{domain}"),
        subject="Onbestelbaar: RE: uw vraag",
        sender=address(f"MAILER-DAEMON@mx.{domain}", "Mail Delivery System"),
        at=at,
        to=[address(box["address"])],
        preview="Uw bericht kon niet worden afgeleverd.",
        headers=[("Content-Type", "multipart/report; report-type=delivery-status")],
    )


def internal(rng: random.Random, city: City, box: dict, at: dt.datetime) -> dict:
    """A colleague writing to a service mailbox: no citizen contact."""
    who = rng.choice(city.colleagues)
    return message(
        mid=imid(f"AM0PR02MB{rng.randrange(1000, 9999)}.eurprd02.prod.outlook.com"),
        subject="Interne nota: planning volgende week",
        sender=address(who.upn, who.name),
        at=at,
        to=[address(box["address"])],
        preview="Collega's, hierbij de planning.",
    )


# Software that writes to a city's mailboxes: a parking app's no-reply notices, Microsoft's own service mail.
VENDORS = (
    ("noreply@parkeerapp.example", "ParkeerApp", "Uw parkeersessie is beëindigd"),
    ("no-reply@microsoft.com", "Microsoft 365", "Your Microsoft 365 subscription renews soon"),
    ("notifications@meldingen.leverancier.example", "Meldingen", "Nieuwe melding in het portaal"),
)
NEWSLETTERS = (
    ("nieuws@cultuurcentrum.example", "Cultuurcentrum", "Het programma van volgende maand"),
    ("info@vakbeurs-overheid.example", "Vakbeurs Overheid", "Schrijf u nu in: -20% tot vrijdag"),
)


def vendor_notice(rng: random.Random, box: dict, at: dt.datetime) -> dict:
    """A software vendor's or Microsoft's no-reply notice: a machine sender, never a citizen."""
    sender, name, subject = rng.choice(VENDORS)
    return message(
        mid=imid(sender.rsplit("@", 1)[1]),
        subject=subject,
        sender=address(sender, name),
        at=at,
        to=[address(box["address"])],
        preview="Dit is een automatisch bericht. Antwoorden op dit bericht worden niet gelezen.",
        headers=[("X-Auto-Response-Suppress", "All")],
        inferenceClassification="other",
    )


def newsletter(rng: random.Random, box: dict, at: dt.datetime) -> dict:
    """A newsletter the mailbox is subscribed to (RFC 2369 list headers): bulk mail."""
    sender, name, subject = rng.choice(NEWSLETTERS)
    domain = sender.rsplit("@", 1)[1]
    return message(
        mid=imid(f"mta{rng.randrange(1, 9)}.{domain}"),
        subject=subject,
        sender=address(sender, name),
        at=at,
        to=[address(box["address"])],
        preview="Bekijk deze e-mail in uw browser.",
        headers=[
            ("List-Unsubscribe", f"<mailto:leave-{uuid.uuid4().hex[:12]}@{domain}>, <https://{domain}/u>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("List-Id", f"<nieuwsbrief.{domain}>"),
            ("Precedence", "bulk"),
        ],
        inferenceClassification="other",
    )
