"""Signs that a message was made by a machine (bounce, auto-reply, receipt, meeting): never a citizen contact.

Sources: RFC 3834 (`Auto-Submitted`), RFC 3464/8098 (`multipart/report`), Exchange's message classes
and system senders (graph-contracts.md §5.1, §11.11). `X-Auto-Response-Suppress` is deliberately not
a sign: Outlook sets it on ordinary mail people write.
"""
from __future__ import annotations

from handlers.skips import SkipReason
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


def machine_made(message: GraphMessage) -> SkipReason | None:
    """Why the message is system mail, bounce checks first (a bounce also looks auto-submitted)."""
    return _bounce(message) or _meeting(message) or _auto_reply(message)


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
    if auto_submitted and auto_submitted != "no":
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
