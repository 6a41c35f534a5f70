"""Mail scenarios of the working day: what arrives in which folder of which mailbox, and its truth."""

from __future__ import annotations

import re

from devhost.tenant import day_mail
from devhost.tenant.day import Action, Context, Expect, Plan, scenario
from devhost.tenant.odata import new_item_id

NOT_FOUND = "ErrorItemNotFound"


def _box(ctx: Context) -> dict:
    return ctx.rng.choice(ctx.city.mailboxes)


def _put(ctx: Context, box: dict, folder: str, message: dict, faulted: bool = True) -> list[Action]:
    """Fault rules for this message's first read (when it has faults), then the message itself."""
    message["id"] = new_item_id()
    actions = (
        [Action("fault", rule) for rule in ctx.faults.rules(f"/messages/{message['id'][:24]}", NOT_FOUND)]
        if faulted
        else []
    )
    copies = ctx.faults.copies if faulted else 1
    actions.append(
        Action("message", {"user": box["address"], "folder": folder, "message": message, "copies": copies})
    )
    return actions


def _texts(ctx: Context, message: dict, departments: list[str]) -> dict:
    """Subject and preview (whitespace collapsed) as far as the policy's text rule allows."""
    rule = ctx.city.text_rule(departments)
    subject = message["subject"] if rule != "none" else None
    summary = re.sub(r"\s+", " ", message["bodyPreview"]).strip() or None if rule == "preview" else None
    return {"subject": subject, "summary": summary}


def _received(
    ctx: Context, name: str, message: dict, citizen, departments: list[str], boxes: list[dict]
) -> Expect:
    return Expect(
        "mail",
        name,
        message["internetMessageId"],
        citizen={"email": citizen.email},
        departments=departments,
        outcome="received",
        faults=ctx.faults.kinds,
        occurred_at=message["receivedDateTime"],
        mailboxes=sorted(b["address"].lower() for b in boxes),
        texts=_texts(ctx, message, departments),
    )


@scenario("mail.inbound", 20)
def inbound(ctx: Context) -> Plan:
    citizen, box = ctx.people.pick(), _box(ctx)
    msg = day_mail.from_citizen(ctx.rng, citizen, box, ctx.now())
    return Plan(
        _received(ctx, "mail.inbound", msg, citizen, [box["department"]], [box]),
        _put(ctx, box, "inbox", msg),
    )


@scenario("mail.two_mailboxes", 4)
def two_mailboxes(ctx: Context) -> Plan:
    """One mail to two service mailboxes: one contact with both departments."""
    citizen = ctx.people.pick()
    first, second = ctx.rng.sample(list(ctx.city.mailboxes), 2)
    msg = day_mail.from_citizen(
        ctx.rng,
        citizen,
        first,
        ctx.now(),
        extra_to=[day_mail.address(second["address"], second["department"])],
    )
    actions = _put(ctx, first, "inbox", msg) + _put(ctx, second, "inbox", dict(msg), faulted=False)
    departments = sorted([first["department"], second["department"]])
    expect = _received(ctx, "mail.two_mailboxes", msg, citizen, departments, [first, second])
    return Plan(expect, actions)


@scenario("mail.reply", 8)
def reply(ctx: Context) -> Plan:
    citizen, box = ctx.people.pick(), _box(ctx)
    msg = day_mail.reply(ctx.rng, citizen, box, ctx.city, ctx.now())
    expect = Expect(
        "mail",
        "mail.reply",
        msg["internetMessageId"],
        recipient=citizen.email,
        citizen={"email": citizen.email},
        direction="outbound",
        departments=[box["department"]],
        outcome="sent",
        faults=ctx.faults.kinds,
        occurred_at=msg["sentDateTime"],
        mailboxes=[box["address"].lower()],
        texts=_texts(ctx, msg, [box["department"]]),
    )
    return Plan(expect, _put(ctx, box, "sentitems", msg))


@scenario("mail.form", 6)
def form(ctx: Context) -> Plan:
    """The website's form (noreply@ with the citizen in Reply-To) into the chosen service's mailbox."""
    citizen, box = ctx.people.pick(), _box(ctx)
    msg = day_mail.form(ctx.rng, citizen, box, ctx.city, ctx.now())
    expect = _received(ctx, "mail.form", msg, citizen, [box["department"]], [box])
    return Plan(expect, _put(ctx, box, "inbox", msg))


@scenario("mail.auto_reply", 3)
def auto_reply(ctx: Context) -> Plan:
    box = _box(ctx)
    msg = day_mail.auto_reply(ctx.people.pick(), box, ctx.now())
    expect = ctx.skipped("mail", "mail.auto_reply", msg["internetMessageId"], "auto_reply")
    return Plan(expect, _put(ctx, box, "inbox", msg))


@scenario("mail.bounce", 2)
def bounce(ctx: Context) -> Plan:
    box = _box(ctx)
    msg = day_mail.bounce(ctx.people.pick(), box, ctx.now())
    return Plan(
        ctx.skipped("mail", "mail.bounce", msg["internetMessageId"], "bounce"), _put(ctx, box, "inbox", msg)
    )


@scenario("mail.internal", 3)
def internal(ctx: Context) -> Plan:
    box = _box(ctx)
    msg = day_mail.internal(ctx.rng, ctx.city, box, ctx.now())
    expect = ctx.skipped("mail", "mail.internal", msg["internetMessageId"], "internal_sender")
    return Plan(expect, _put(ctx, box, "inbox", msg))


@scenario("mail.junk", 2)
def junk(ctx: Context) -> Plan:
    box = _box(ctx)
    msg = day_mail.from_citizen(ctx.rng, ctx.people.pick(), box, ctx.now())
    return Plan(
        ctx.skipped("mail", "mail.junk", msg["internetMessageId"], "junk"), _put(ctx, box, "junkemail", msg)
    )


@scenario("mail.draft", 1)
def draft(ctx: Context) -> Plan:
    citizen, box = ctx.people.pick(), _box(ctx)
    msg = day_mail.reply(ctx.rng, citizen, box, ctx.city, ctx.now())
    msg["isDraft"] = True
    return Plan(
        ctx.skipped("mail", "mail.draft", msg["internetMessageId"], "draft"), _put(ctx, box, "drafts", msg)
    )


@scenario("mail.machine_sender", 2)
def machine_sender(ctx: Context) -> Plan:
    """A vendor's no-reply notice or Microsoft's service mail (docs/capture-rules.md): never a citizen."""
    box = _box(ctx)
    msg = day_mail.vendor_notice(ctx.rng, box, ctx.now())
    expect = ctx.skipped("mail", "mail.machine_sender", msg["internetMessageId"], "machine_sender")
    return Plan(expect, _put(ctx, box, "inbox", msg))


@scenario("mail.bulk", 2)
def bulk(ctx: Context) -> Plan:
    box = _box(ctx)
    msg = day_mail.newsletter(ctx.rng, box, ctx.now())
    return Plan(
        ctx.skipped("mail", "mail.bulk", msg["internetMessageId"], "bulk_mail"), _put(ctx, box, "inbox", msg)
    )


@scenario("mail.odd_notification", 2)
def odd_notification(ctx: Context) -> Plan:
    """A citizen's mail whose notification has a string for resourceData and an extra property, as real
    senders produce (tests/fixtures/real): the resource still names the message, so it is captured."""
    citizen, box = ctx.people.pick(), _box(ctx)
    msg = day_mail.from_citizen(ctx.rng, citizen, box, ctx.now())
    actions = _put(ctx, box, "inbox", msg)
    actions[-1].args["oddities"] = ["resource_data_string", "extra_property"]
    return Plan(_received(ctx, "mail.odd_notification", msg, citizen, [box["department"]], [box]), actions)
