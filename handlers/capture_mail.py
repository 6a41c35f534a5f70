"""capture_mail: a queued mail notification -> the message from Graph -> contact events on the topic."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from errors import PermanentError
from handlers.mail import normalize_mail
from handlers.ports.bus import MessageBus
from handlers.ports.graph import FolderPlace, FolderResolver, GraphPort
from handlers.publishing import publish_events
from handlers.rich_notifications import RichRejected, RichVerifier, complete_message
from handlers.skips import Skip, SkipReason
from handlers.suppression import SuppressedKeys, drop_suppressed, nobody_suppressed
from schemas.capture_policy import CapturePolicy
from schemas.contact_event import ContactEvent
from schemas.graph_message import MailFolder, parse_message
from schemas.queued_notification import MailNotificationBody

log = logging.getLogger(__name__)

# Everything normalize_mail reads, and nothing more (data minimisation; also faster).
MAIL_SELECT = [
    "id", "internetMessageId", "subject", "bodyPreview", "receivedDateTime", "sentDateTime", "from",
    "sender", "toRecipients", "ccRecipients", "bccRecipients", "replyTo", "conversationId", "isDraft",
    "parentFolderId", "internetMessageHeaders", "webLink",
    "singleValueExtendedProperties",
]


@dataclass
class MailCapture:
    """What capture_mail needs: Graph, the folder cache, the policy, the bus and a skip recorder."""

    graph: GraphPort
    folders: FolderResolver
    policy: CapturePolicy
    bus: MessageBus
    topic: str
    record_skip: Callable[[Skip], object]
    now: Callable[[], dt.datetime]
    rich: RichVerifier | None = None  # set when a rich-notification certificate is configured
    count_discard: Callable[[str], object] = lambda reason: None
    suppressed: SuppressedKeys = nobody_suppressed  # citizens who objected: their events are skipped


async def capture_mail(note: MailNotificationBody, deps: MailCapture) -> list[ContactEvent] | Skip | None:
    """Fetch, normalise, publish. None when there is nothing to read (a deletion notice).

    Graph errors propagate as TransientError / PermanentError for settlement to handle.
    """
    if note.change_type.lower() == "deleted":
        return None
    box = deps.policy.mailbox(note.mailbox_user_id or "")
    if box is None:
        skip = Skip(SkipReason.MAILBOX_NOT_IN_POLICY, note.message_id)
        deps.record_skip(skip)
        return skip
    raw = await _rich_message(note, deps) if note.encrypted_content is not None else None
    if raw is False:
        return None
    if raw is None:  # a basic notification, or a rich one lacking a field the normaliser needs
        raw = await deps.graph.get_message(note.mailbox_user_id, note.message_id, MAIL_SELECT)
    message = parse_message(raw)
    folder = await _folder(deps.folders, note.mailbox_user_id, message.parent_folder_id)
    result = normalize_mail(message, mailbox=box.address, folder=folder, policy=deps.policy,
                            captured_at=deps.now())
    if isinstance(result, Skip):
        deps.record_skip(result)
        log.info("mail skipped: %s", result.reason.value, extra={"reason": result.reason.value})
        return result
    result = drop_suppressed(result, deps.suppressed, deps.record_skip)
    publish_events(deps.bus, deps.topic, result)
    for event in result:
        log.info("captured %s contact %s", event.channel.value, event.event_id,
                 extra={"event_id": str(event.event_id), "channel": event.channel.value})
    return result


async def _rich_message(note: MailNotificationBody, deps: MailCapture) -> dict | None | bool:
    """The verified, decrypted message; None to read it from Graph; False when forged (counted, dropped).

    A rejected notification's data is never used. One whose only fault is a token that expired while
    it waited in our own queue (signature, issuer, audience and caller all checked first) is read
    from Graph instead: catch-up would enqueue that mail under this very message id, which duplicate
    detection drops, so dropping this one too could lose a genuine mail.
    """
    if deps.rich is None:  # no certificate configured (any more): the data cannot be checked
        return None
    try:
        data = await deps.rich.open(note.validation_tokens, note.encrypted_content)
    except RichRejected as exc:
        deps.count_discard(f"rich_{exc.reason}")
        log.warning("rich notification rejected: %s", exc.reason,
                    extra={"reason": exc.reason, "subscription_id": note.subscription_id})
        return None if exc.reason == "expired_token" else False
    return complete_message(data, note.message_id)


async def _folder(folders: FolderResolver, user_id: str, folder_id: str | None) -> MailFolder:
    if not folder_id:
        raise PermanentError("mail message lacks parentFolderId", reason="mail_without_folder")
    return folder_of(await folders.place(user_id, folder_id))


def folder_of(place: FolderPlace) -> MailFolder:
    """A resolved folder place in the normaliser's terms."""
    if place.well_known is None:
        return MailFolder.OTHER
    if place.is_inbox and place.depth > 0:
        return MailFolder.INBOX_SUBFOLDER
    return MailFolder.parse(place.well_known)
