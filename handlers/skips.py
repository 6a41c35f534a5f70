"""Why a payload is not a citizen contact: recorded without personal data so reconciliation adds up."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SkipReason(StrEnum):
    """Stable codes (operators group by them); append new members, never rename one."""

    INTERNAL_SENDER = "internal_sender"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    DRAFT = "draft"
    DELETED = "deleted"
    JUNK = "junk"
    MAILBOX_NOT_IN_POLICY = "mailbox_not_in_policy"
    EXCLUDED = "excluded"
    NO_EXTERNAL_RECIPIENT = "no_external_recipient"
    INTERNAL_CALL = "internal_call"
    BOT_ONLY_CALL = "bot_only_call"
    QUEUE_NOT_IN_POLICY = "queue_not_in_policy"
    UNSUPPORTED_RESOURCE = "unsupported_resource"
    MEETING_MESSAGE = "meeting_message"
    MACHINE_SENDER = "machine_sender"  # software and services: no-reply addresses, Microsoft's service mail
    BULK_MAIL = "bulk_mail"  # newsletters, list mail (List-Unsubscribe, List-Id, Precedence bulk|list|junk)
    NO_PSTN_PARTY = "no_pstn_party"  # only outsiders without a number (other tenants, guests), no queue
    SUPPRESSED = "suppressed"  # the citizen objected (Art. 21): `loket privacy suppress`


@dataclass(frozen=True)
class Skip:
    """A normaliser's answer when the payload is not a citizen contact; `source_id` is hashed when stored."""

    reason: SkipReason
    source_id: str

    def to_json_dict(self) -> dict[str, str]:
        return {"skipped": self.reason.value}
