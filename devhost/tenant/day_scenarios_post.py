"""Post scenarios of the working day: scanned letters with and without the post room's sidecar, a
sidecar that comes later, a few image-only scans that only OCR can read, and a letter nobody signed."""

from __future__ import annotations

import uuid

from devhost.tenant import day_letters as letters
from devhost.tenant.day import Action, Context, Expect, Plan, scenario
from devhost.tenant.odata import iso

SIDECAR_LATER = 2.0


def _tray(ctx: Context) -> tuple[str, str]:
    tray = ctx.rng.choice(sorted(ctx.city.trays))
    return tray, ctx.city.trays[tray]


def _name(tray: str) -> str:
    return f"{tray}/scan-{uuid.uuid4().hex[:12]}.pdf"


def _letter(
    ctx: Context,
    name: str,
    *,
    email: bool = True,
    image: bool = False,
    side: str = "none",
    anonymous: bool = False,
) -> Plan:
    """`side`: none | with (sidecar right after the PDF) | later (sidecar seconds later).

    The citizen is expected by e-mail when the text layer or a sidecar gives it; an image-only scan is
    expected by phone: OCR misreads about one e-mail address in ten (a dot or the first name dropped),
    while the numbers come through (measured with Tesseract on these scans).
    """
    citizen = None if anonymous else ctx.people.pick()
    tray, department = _tray(ctx)
    text = letters.letter_text(ctx.rng, citizen, tray, email=email)
    text += f"\n\nReferentie: R-{uuid.uuid4().int % 10**8:08d}"  # every scan is its own PDF
    pdf = letters.image_pdf(text) if image else letters.text_pdf(text)
    relative = _name(tray)
    arrived = iso(ctx.now())  # the scan's file time and the sidecar's received_at
    actions = [Action("letter", {"name": relative, "pdf": pdf, "arrived": arrived})]
    if side != "none" and citizen is not None:
        card = letters.sidecar(citizen, tray, arrived)
        actions.append(
            Action(
                "sidecar",
                {"name": relative, "sidecar": card},
                after=SIDECAR_LATER if side == "later" else 0.2,
            )
        )
    if citizen is None:
        who = None
    elif side != "none" or (email and not image):
        who = {"email": citizen.email, "phone": citizen.phone}  # the letterhead or sidecar has both
    else:
        who = {"phone": citizen.phone}
    expect = Expect(
        "post",
        name,
        letters.digest(pdf),
        citizen=who,
        departments=[department],
        outcome="received" if who else "unidentified",
        version=2 if side != "none" else 1,
        occurred_at=arrived,
        texts={} if image else _texts(ctx, text, department),  # OCR may misread a word: not compared
    )
    return Plan(expect, actions)


def _texts(ctx: Context, text: str, department: str) -> dict:
    """The `Betreft:` line and the body between salutation and sign-off, as the policy allows."""
    rule = ctx.city.text_rule([department])
    lines = text.splitlines()
    subject = next(x.split(":", 1)[1].strip() for x in lines if x.startswith("Betreft:"))
    body = lines[lines.index("Geachte heer, mevrouw,") + 1 : lines.index("Met vriendelijke groeten,")]
    summary = " ".join(" ".join(body).split())
    return {
        "subject": subject if rule != "none" else None,
        "summary": summary if rule == "preview" else None,
    }


@scenario("post.with_sidecar", 5)
def with_sidecar(ctx: Context) -> Plan:
    return _letter(ctx, "post.with_sidecar", side="with")


@scenario("post.text_only", 4)
def text_only(ctx: Context) -> Plan:
    """No sidecar: the sender comes from the letter's text layer."""
    return _letter(ctx, "post.text_only")


@scenario("post.phone_only", 2)
def phone_only(ctx: Context) -> Plan:
    """No sidecar and no e-mail address in the letterhead: the citizen is known by phone."""
    return _letter(ctx, "post.phone_only", email=False)


@scenario("post.sidecar_later", 2)
def sidecar_later(ctx: Context) -> Plan:
    return _letter(ctx, "post.sidecar_later", side="later")


@scenario("post.unidentified", 1)
def unidentified(ctx: Context) -> Plan:
    return _letter(ctx, "post.unidentified", anonymous=True)


@scenario("post.image_only", 2)
def image_only(ctx: Context) -> Plan:
    """A plain scanner's image-only PDF (OCR); after the run's few, a text-layer letter takes its place."""
    if ctx.image_letters_left <= 0:
        return _letter(ctx, "post.text_only")
    ctx.image_letters_left -= 1
    return _letter(ctx, "post.image_only", image=True)
