"""Deterministic identities (design.md): redelivery, duplicates and replay never double a contact."""
from __future__ import annotations

import hashlib
from uuid import UUID, uuid5

from schemas.contact_event import ContactEvent

# Pinned by a test: changing it re-keys every contact ever stored.
LOKET_NS = UUID("e53b4093-6580-4244-a725-29810a712039")


def mail_event_id(internet_message_id: str, recipient: str | None = None) -> UUID:
    """Inbound mail: one id per message; outbound: one per external recipient (lower-cased)."""
    name = "mail:" + internet_message_id
    if recipient is not None:
        name += "#" + recipient.lower()
    return uuid5(LOKET_NS, name)


def phone_event_id(call_record_id: str) -> UUID:
    """One id per call record; its versions share the id and differ in `source.version`."""
    return uuid5(LOKET_NS, "phone:" + call_record_id)


def pdf_sha256(pdf: bytes) -> str:
    return hashlib.sha256(pdf).hexdigest()


def post_event_id(pdf_digest: str) -> UUID:
    """One id per scanned PDF (by its sha256 hex digest), whatever the file is called."""
    return uuid5(LOKET_NS, "post:" + pdf_digest)


def bus_message_id(event: ContactEvent) -> str:
    """Service Bus message id: drops true duplicates, never a new version or a second mailbox."""
    first_mailbox = event.source.mailboxes[0] if event.source.mailboxes else ""
    key = f"{event.event_id}|{event.source.version}|{first_mailbox}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def hashed_source_id(source_id: str) -> str:
    """A skip record's key: reconciles without keeping the source id (it can name a person)."""
    return hashlib.sha256(("skip:" + source_id).encode("utf-8")).hexdigest()
