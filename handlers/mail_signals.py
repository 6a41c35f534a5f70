"""Signs that a message was made by a machine (bounce, auto-reply, receipt, meeting, software, list mail):
never a citizen contact. The rules and the judgement calls are in docs/capture-rules.md.

Sources: RFC 3834 (`Auto-Submitted`), RFC 3464/8098 (`multipart/report`), RFC 2369/2919 (`List-*`),
RFC 8058 (one-click unsubscribe), Exchange's message classes and system senders (graph-contracts.md §5.1,
§11.11). `X-Auto-Response-Suppress` is deliberately not a sign: Outlook sets it on ordinary mail people
write. Every check is a split, a set look-up or a prefix test: linear in the header's length, whatever
a hostile sender puts there.
"""
from __future__ import annotations

import email.utils

from handlers.identity import normalise_email
from handlers.skips import SkipReason
from schemas.capture_policy import CapturePolicy
from schemas.graph_message import GraphMessage, Recipient

BOUNCE_SUBJECTS = (
    "undeliverable:",
    "onbestelbaar:",
    "niet te bezorgen:",
    "non remis :",
    "non remis:",
    "unzustellbar:",
    "delivery status notification (failure)",
    "mail delivery failed",
    "returned mail:",
    "failure notice",
)
AUTO_REPLY_SUBJECTS = (
    "automatic reply:",
    "automatisch antwoord:",
    "automatische antwort:",
    "réponse automatique :",
    "réponse automatique:",
    "out of office:",
    "afwezig:",
    "abwesenheitsnotiz:",
)
BOUNCE_LOCAL_PARTS = ("mailer-daemon", "postmaster")
EXCHANGE_SYSTEM_PREFIX = "microsoftexchange"  # MicrosoftExchange329e71ec…@: Exchange's own NDR sender
SYSTEM_NAMES = frozenset(
    {"microsoft outlook", "microsoft exchange", "mail delivery subsystem", "mail delivery system",
     "mailer-daemon", "postmaster", "mail delivery service"}
)


# Local parts of software's own addresses, compared token by token (`no-reply`, `account-security-noreply`,
# `do_not_reply`, `notifications`): never a person's name that merely contains the letters.
NO_REPLY_TOKENS = frozenset({"noreply", "donotreply", "dontreply", "noresponse", "norespond", "mailerdaemon"})
NO_REPLY_RUNS = (("no", "reply"), ("do", "not", "reply"), ("dont", "reply"), ("no", "response"),
                 ("mailer", "daemon"))
SERVICE_LOCAL_PARTS = frozenset({"notifications", "notification", "notify", "alerts", "alert", "newsletter",
                                 "newsletters", "bounce", "bounces", "automailer", "autoreply", "daemon"})
# Microsoft's own service mail (account security, Outlook, Teams, SharePoint, billing): the city's
# tenant provider, never a citizen. Subdomains included (accountprotection.microsoft.com, …).
MICROSOFT_SERVICE_DOMAINS = ("microsoft.com", "microsoftonline.com", "microsoft365.com", "office.com",
                             "office365.com", "sharepointonline.com", "teams.mail.microsoft",
                             "mail.microsoft")
BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
# Headers only mass-mailing services and list servers add; with inferenceClassification `other` they
# tip a message into bulk mail (a supporting signal: neither decides alone).
ESP_HEADERS = ("feedback-id", "x-csa-complaints", "list-help", "x-campaign", "x-mailchimp-id",
               "x-sg-eid", "x-ses-outgoing", "x-mailgun-tag", "x-sfmc-stack")


def machine_made(message: GraphMessage) -> SkipReason | None:
    """Why the message is system mail, bounce checks first (a bounce also looks auto-submitted)."""
    generated = SkipReason.MACHINE_SENDER if _generated_notice(message) else None
    return _bounce(message) or _meeting(message) or _auto_reply(message) or generated


def is_system_sender(recipient: Recipient | None) -> bool:
    """Exchange's, a mail server's or a postmaster's own address: never a person."""
    if recipient is None or not recipient.address:
        return False
    local = recipient.address.strip().lower().rsplit("@", 1)[0]
    return local in BOUNCE_LOCAL_PARTS or local.startswith(EXCHANGE_SYSTEM_PREFIX)


def is_system_name(name: str | None) -> bool:
    return bool(name) and name.strip().strip("'\"").lower() in SYSTEM_NAMES


def _bounce(message: GraphMessage) -> SkipReason | None:
    mclass = (message.message_class or "").lower()
    content_type = (message.header("Content-Type") or "").lower()
    if mclass.startswith("report.") and mclass.endswith(".ndr"):
        return SkipReason.BOUNCE
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return SkipReason.BOUNCE
    if is_system_sender(message.from_) or is_system_sender(message.sender):
        return SkipReason.BOUNCE
    if _subject_starts(message, BOUNCE_SUBJECTS):
        return SkipReason.BOUNCE
    return None


def _meeting(message: GraphMessage) -> SkipReason | None:
    """Meeting requests and responses (`eventMessage*`, `IPM.Schedule.Meeting.*`) are calendar traffic."""
    odata_type = (message.odata_type or "").lower()
    mclass = (message.message_class or "").lower()
    if odata_type.startswith("#microsoft.graph.eventmessage") or mclass.startswith("ipm.schedule.meeting"):
        return SkipReason.MEETING_MESSAGE
    return None


def _auto_reply(message: GraphMessage) -> SkipReason | None:
    """Out-of-office replies, rule replies, read and delivery receipts, RFC 3834 auto-submitted mail."""
    mclass = (message.message_class or "").lower()
    if mclass.startswith(("ipm.note.rules.ooftemplate", "ipm.note.rules.replytemplate", "report.")):
        return SkipReason.AUTO_REPLY
    if "disposition-notification" in (message.header("Content-Type") or "").lower():
        return SkipReason.AUTO_REPLY
    auto_submitted = (message.header("Auto-Submitted") or "").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no" and not _generated_notice(message):
        return SkipReason.AUTO_REPLY
    if (message.header("Precedence") or "").strip().lower() == "auto_reply":
        return SkipReason.AUTO_REPLY
    if (message.header("X-Autoreply") or "").strip().lower() == "yes":
        return SkipReason.AUTO_REPLY
    if (message.header("Return-Path") or "").strip() == "<>":  # null reverse path: DSNs and autoresponders
        return SkipReason.AUTO_REPLY
    if _subject_starts(message, AUTO_REPLY_SUBJECTS):
        return SkipReason.AUTO_REPLY
    return None


def _subject_starts(message: GraphMessage, prefixes: tuple[str, ...]) -> bool:
    return (message.subject or "").strip().lower().startswith(prefixes)


def _generated_notice(message: GraphMessage) -> bool:
    """`Auto-Submitted: auto-generated` without a vacation type: a notice software made, not a reply."""
    value = (message.header("Auto-Submitted") or "").lower()
    kind = value.split(";")[0].strip()
    return kind in ("auto-generated", "auto-notified") and "vacation" not in value and not _subject_starts(
        message, AUTO_REPLY_SUBJECTS)


def sent_by_software(message: GraphMessage, address: str, policy: CapturePolicy) -> SkipReason | None:
    """`machine_sender` or `bulk_mail` for inbound mail from `address`, else None.

    The policy decides first (`machine_senders.never`, then `.always`); the form senders never reach
    here (handlers.mail treats them before). Bounces, meetings, auto-replies and `Auto-Submitted:
    auto-generated` notices are judged before this (`machine_made`), whatever the policy says.
    """
    if policy.is_never_machine(address):
        return None
    if policy.is_always_machine(address) or is_machine_address(address):
        return SkipReason.MACHINE_SENDER
    if _bulk(message):
        return SkipReason.BULK_MAIL
    return None


def is_machine_address(address: str | None) -> bool:
    """A no-reply style, notification or list-server address, or one of Microsoft's service domains."""
    email = normalise_email(address) if address else None
    if email is None:
        return False
    local, _, domain = email.rpartition("@")
    local = local.split("+", 1)[0]
    tokens = tuple(t for t in local.replace("-", ".").replace("_", ".").split(".") if t)
    if any(t in NO_REPLY_TOKENS for t in tokens) or "".join(tokens) in SERVICE_LOCAL_PARTS:
        return True
    if any(tokens[i:i + len(run)] == run for run in NO_REPLY_RUNS for i in range(len(tokens))):
        return True
    return any(domain == d or domain.endswith("." + d) for d in MICROSOFT_SERVICE_DOMAINS)


def _bulk(message: GraphMessage) -> bool:
    """RFC 2369/2919 list headers, `Precedence: bulk|list|junk`, or supporting signals together."""
    if message.header("List-Unsubscribe") is not None or message.header("List-Id") is not None:
        return True
    if (message.header("Precedence") or "").strip().lower() in BULK_PRECEDENCE:
        return True
    if (message.inference_classification or "").strip().lower() != "other":
        return False
    return any(message.header(h) is not None for h in ESP_HEADERS) or _reply_to_machine(message)


def _reply_to_machine(message: GraphMessage) -> bool:
    """Replies go to a no-reply address (the `Reply-To` header or field), as in vendors' campaigns."""
    header = message.header("Reply-To")
    addresses = [addr for _, addr in email.utils.getaddresses([header])] if header else []
    addresses += [r.address for r in message.reply_to if r.address]
    return any(is_machine_address(a) for a in addresses)
