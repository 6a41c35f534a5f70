"""Mail normaliser: a Graph message in a captured mailbox becomes contact events, or a skip reason.

Pure: no I/O. The folder decides the direction (design.md): inbox and its subfolders (and junk when
the policy keeps it) inbound, sent items outbound with one event per external recipient; mail in
another folder (archive, custom) is outbound when the mailbox itself sent it, else inbound.

`source.id` is the internetMessageId: it is stable across folder moves and mailboxes (the Graph `id`
is not), so the same mail captured in two mailboxes is one contact, as `event_id` already says.
`source.uri` is the message's Outlook web link (for agents), when Graph gave one.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import TypeVar

from errors import PermanentError
from handlers.event_ids import mail_event_id
from handlers.identity import normalise_email
from handlers.mail_signals import is_system_name, machine_made, sent_by_software
from handlers.skips import Skip, SkipReason
from schemas.capture_policy import CapturePolicy, FormSender, Mailbox, StoredText
from schemas.contact_event import (
    Agent,
    Channel,
    Citizen,
    ContactEvent,
    Direction,
    Outcome,
    Source,
    SourceSystem,
)
from schemas.graph_message import GraphMessage, MailFolder, Recipient

T = TypeVar("T")
SUMMARY_LIMIT = 280
INBOUND_FOLDERS = frozenset({MailFolder.INBOX, MailFolder.INBOX_SUBFOLDER, MailFolder.JUNK_EMAIL})


def normalize_mail(
    message: GraphMessage,
    *,
    mailbox: str,
    folder: MailFolder,
    policy: CapturePolicy,
    captured_at: dt.datetime,
) -> list[ContactEvent] | Skip:
    """The contact events one message in `mailbox` (address or Entra id) and `folder` becomes.

    Raises PermanentError when a field it needs is absent (a `$select` subset): the caller refetches
    the full message or dead-letters it; a citizen is never invented.
    """
    source_id = message.internet_message_id or message.id or ""
    box = policy.mailbox(mailbox)
    if box is None:
        return Skip(SkipReason.MAILBOX_NOT_IN_POLICY, source_id)
    folder_skip = _folder_skip(folder, policy)
    if folder_skip is not None:
        return Skip(folder_skip, source_id)
    if message.is_draft:
        return Skip(SkipReason.DRAFT, source_id)
    imid = _required(message.internet_message_id, "internetMessageId")
    outbound = _is_outbound(message, folder, box)
    origin = None if outbound else _required(message.originator, "from")
    machine = machine_made(message)
    if machine is not None:
        return Skip(machine, source_id)
    if origin is None:
        return _outbound(message, imid, box, policy, captured_at)
    return _inbound(message, origin, imid, box, policy, captured_at)


def _folder_skip(folder: MailFolder, policy: CapturePolicy) -> SkipReason | None:
    if folder in (MailFolder.DRAFTS, MailFolder.OUTBOX):
        return SkipReason.DRAFT
    if folder is MailFolder.DELETED_ITEMS:
        return SkipReason.DELETED
    if folder is MailFolder.JUNK_EMAIL and not policy.keep_junk:
        return SkipReason.JUNK
    return None


def _is_outbound(message: GraphMessage, folder: MailFolder, box: Mailbox) -> bool:
    if folder is MailFolder.SENT_ITEMS:
        return True
    if folder in INBOUND_FOLDERS:
        return False
    origin = message.originator
    return bool(origin and origin.address and origin.address.strip().lower() == box.address.lower())


def _inbound(
    message: GraphMessage, origin: Recipient, imid: str, box: Mailbox, policy: CapturePolicy,
    captured_at: dt.datetime,
) -> list[ContactEvent] | Skip:
    address = origin.address or ""  # `originator` only returns a recipient with an address
    form = policy.form_sender(address)
    if form is not None:
        return _form_mail(message, imid, form, box, policy, captured_at)
    email = normalise_email(address)
    if email is None:
        if address.strip().lower().startswith("/o="):  # Exchange X.500 address: a colleague
            return Skip(SkipReason.INTERNAL_SENDER, imid)
        raise PermanentError("mail message field from.emailAddress.address is not an e-mail address",
                             reason="malformed_message")
    if policy.is_internal_email(email):
        return Skip(SkipReason.INTERNAL_SENDER, imid)
    if policy.is_excluded_email(email):
        return Skip(SkipReason.EXCLUDED, imid)
    software = sent_by_software(message, email, policy)
    if software is not None:
        return Skip(software, imid)
    citizen = Citizen(email=email, display_name=_display_name(origin))
    return [_event(message, imid, None, citizen, (box.department,), box, policy, captured_at)]


def _form_mail(
    message: GraphMessage, imid: str, form: FormSender, box: Mailbox, policy: CapturePolicy,
    captured_at: dt.datetime,
) -> list[ContactEvent] | Skip:
    """The website's form: the citizen is in Reply-To; the department is the form's target mailbox's."""
    replies = [(normalise_email(r.address), r) for r in message.reply_to]
    valid = [(email, r) for email, r in replies if email]
    external = [(email, r) for email, r in valid if not policy.is_internal_email(email)]
    citizen = None
    if external:
        email, recipient = external[0]
        if policy.is_excluded_email(email):
            return Skip(SkipReason.EXCLUDED, imid)
        citizen = Citizen(email=email, display_name=_display_name(recipient))
    elif valid:  # a colleague trying the form out
        return Skip(SkipReason.INTERNAL_SENDER, imid)
    targets = (policy.mailbox(r.address) for r in message.to_recipients if r.address)
    departments = tuple(sorted({t.department for t in targets if t})) or (form.default_department,)
    return [_event(message, imid, None, citizen, departments, box, policy, captured_at)]


def _outbound(
    message: GraphMessage, imid: str, box: Mailbox, policy: CapturePolicy, captured_at: dt.datetime
) -> list[ContactEvent] | Skip:
    if not {"to_recipients", "cc_recipients", "bcc_recipients"} & message.model_fields_set:
        _required(None, "toRecipients")
    recipients: dict[str, Recipient] = {}
    for recipient in (*message.to_recipients, *message.cc_recipients, *message.bcc_recipients):
        email = normalise_email(recipient.address)
        if email and not policy.is_internal_email(email):
            recipients.setdefault(email, recipient)
    if not recipients:
        return Skip(SkipReason.NO_EXTERNAL_RECIPIENT, imid)
    kept = sorted(email for email in recipients if not policy.is_excluded_email(email))
    if not kept:
        return Skip(SkipReason.EXCLUDED, imid)
    return [
        _event(message, imid, email, Citizen(email=email, display_name=_display_name(recipients[email])),
               (box.department,), box, policy, captured_at)
        for email in kept
    ]


def _event(
    message: GraphMessage, imid: str, recipient: str | None, citizen: Citizen | None,
    departments: tuple[str, ...], box: Mailbox, policy: CapturePolicy, captured_at: dt.datetime,
) -> ContactEvent:
    outbound = recipient is not None
    occurred = (_required(message.sent_date_time, "sentDateTime") if outbound
                else _required(message.received_date_time, "receivedDateTime"))
    rule = policy.stored_text_for(_text_departments(message, departments, policy))
    subject, summary = _stored_text(message, rule)
    return ContactEvent(
        event_id=mail_event_id(imid, recipient),
        channel=Channel.MAIL,
        direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        occurred_at=occurred,
        outcome=Outcome.SENT if outbound else Outcome.RECEIVED,
        citizen=citizen,
        departments=departments,
        subject=subject,
        summary=summary,
        conversation_id=message.conversation_id or None,
        agent=_sender_agent(message, box) if outbound else None,
        source=Source(system=SourceSystem.GRAPH_MAIL, id=imid, version=1,
                      mailboxes=(box.address.lower(),), uri=message.web_link or None),
        captured_at=captured_at,
    )


def _sender_agent(message: GraphMessage, box: Mailbox) -> Agent | None:
    """Mail a colleague sent on behalf of (or as) the service mailbox: `sender` is the colleague, `from`
    the mailbox. Graph names the sender by address only, so the address stands for the colleague."""
    sender = message.sender
    address = normalise_email(sender.address) if sender and sender.address else None
    if address is None or address == box.address.lower():
        return None
    return Agent(id=address, display_name=_display_name(sender) or address, upn=address)


def _text_departments(
    message: GraphMessage, departments: tuple[str, ...], policy: CapturePolicy
) -> tuple[str, ...]:
    """The departments whose text rule applies: this event's, and those of every other captured
    mailbox the message is addressed to. The store merges those copies into one contact and keeps the
    text of the first, so each copy must already obey the strictest rule of them all."""
    recipients = (*message.to_recipients, *message.cc_recipients, *message.bcc_recipients)
    others = {box.department for r in recipients if r.address and (box := policy.mailbox(r.address))}
    return tuple(sorted(set(departments) | others))


def _stored_text(message: GraphMessage, rule: StoredText) -> tuple[str | None, str | None]:
    """`none`: neither; `subject`: the subject; `preview`: the subject and a short body excerpt."""
    if rule is StoredText.NONE:
        return None, None
    subject = _tidy(message.subject)
    if rule is StoredText.SUBJECT:
        return subject, None
    summary = _tidy(message.body_preview)
    if summary and len(summary) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - 1].rstrip() + "…"
    return subject, summary


def _tidy(text: str | None) -> str | None:
    """Whitespace (the preview's line breaks) collapsed; empty text is no text."""
    if not text:
        return None
    return re.sub(r"\s+", " ", text).strip() or None


def _display_name(recipient: Recipient) -> str | None:
    """The name beside the address, unless it is the address itself or a system name."""
    name = (recipient.name or "").strip().strip("'\"").strip()
    if not name or "@" in name or is_system_name(name):
        return None
    return re.sub(r"\s+", " ", name)


def _required(value: T | None, field: str) -> T:
    if value is None or value == "":
        raise PermanentError(
            f"mail message lacks {field} (a $select subset?): fetch the full message",
            reason="incomplete_message",
        )
    return value
