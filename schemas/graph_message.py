"""The subset of a Graph `message` Loket reads, and the mail folders whose meaning the normaliser knows."""
from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationError

from errors import PermanentError
from schemas.graph_base import GraphDatetime, GraphModel

MESSAGE_CLASS_TAG = 0x001A  # PR_MESSAGE_CLASS, selected as `String 0x001A` in singleValueExtendedProperties


def lenient_bool(value: Any) -> bool | None:
    """Graph booleans can be null (isDeliveryReceiptRequested) or, in doc samples, strings ("true")."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def none_as_empty(value: Any) -> Any:
    """A collection Graph sends as `null` reads as empty."""
    return () if value is None else value


LenientBool = Annotated[bool | None, BeforeValidator(lenient_bool)]


class EmailAddress(GraphModel):
    name: str | None = None
    address: str | None = None


class Recipient(GraphModel):
    email_address: EmailAddress | None = None

    @property
    def address(self) -> str | None:
        return self.email_address.address if self.email_address else None

    @property
    def name(self) -> str | None:
        return self.email_address.name if self.email_address else None


Recipients = Annotated[tuple[Recipient, ...], BeforeValidator(none_as_empty)]


class MessageHeader(GraphModel):
    name: str
    value: Annotated[str, BeforeValidator(lambda v: "" if v is None else v)] = ""


class ExtendedProperty(GraphModel):
    id: str
    value: str | None = None


class ItemBody(GraphModel):
    content_type: str | None = None
    content: str | None = None


class GraphMessage(GraphModel):
    """A message as `GET /users/{id}/messages/{id}` (or a delta page) returns it; every field optional.

    Which fields are required depends on the use: `handlers.mail` insists on those it reads.
    """

    odata_type: str | None = Field(None, alias="@odata.type")
    odata_context: str | None = Field(None, alias="@odata.context")
    removed: dict[str, Any] | None = Field(None, alias="@removed")
    id: str | None = None
    internet_message_id: str | None = None
    conversation_id: str | None = None
    conversation_index: str | None = None  # not decoded: doc samples hold invalid base64 here
    subject: str | None = None
    body_preview: str | None = None
    body: ItemBody | None = None
    received_date_time: GraphDatetime | None = None
    sent_date_time: GraphDatetime | None = None
    created_date_time: GraphDatetime | None = None
    last_modified_date_time: GraphDatetime | None = None
    from_: Recipient | None = Field(None, alias="from")
    sender: Recipient | None = None
    to_recipients: Recipients = ()
    cc_recipients: Recipients = ()
    bcc_recipients: Recipients = ()
    reply_to: Recipients = ()
    is_draft: LenientBool = None
    is_read: LenientBool = None
    is_delivery_receipt_requested: LenientBool = None
    is_read_receipt_requested: LenientBool = None
    has_attachments: LenientBool = None
    parent_folder_id: str | None = None
    inference_classification: str | None = None
    web_link: str | None = None
    internet_message_headers: Annotated[tuple[MessageHeader, ...], BeforeValidator(none_as_empty)] = ()
    single_value_extended_properties: Annotated[
        tuple[ExtendedProperty, ...], BeforeValidator(none_as_empty)
    ] = ()
    message_class_field: str | None = Field(None, alias="messageClass")  # a simulator may send it plainly

    def header(self, name: str) -> str | None:
        """The first header of that name (any case), else None; headers come only with `$select`."""
        key = name.lower()
        return next((h.value for h in self.internet_message_headers if h.name.lower() == key), None)

    @property
    def message_class(self) -> str | None:
        """PR_MESSAGE_CLASS (`IPM.Note`, `REPORT.IPM.Note.NDR`, …) when it was selected, else None."""
        if self.message_class_field:
            return self.message_class_field
        for prop in self.single_value_extended_properties:
            kind, _, tag = prop.id.strip().partition(" ")
            if kind.lower() == "string" and _hex(tag) == MESSAGE_CLASS_TAG:
                return prop.value
        return None

    @property
    def originator(self) -> Recipient | None:
        """`from` (the mailbox it is sent as), else `sender` (who actually sent it)."""
        if self.from_ and self.from_.address:
            return self.from_
        return self.sender if self.sender and self.sender.address else None

    @property
    def mailbox_in_context(self) -> str | None:
        """The `users('…')` named by `@odata.context` (object id or address), if any."""
        match = re.search(r"users\('([^']+)'\)", self.odata_context or "", flags=re.IGNORECASE)
        return match.group(1) if match else None


def _hex(text: str) -> int | None:
    try:
        return int(text.strip(), 16)
    except ValueError:
        return None


def parse_message(raw: Any) -> GraphMessage:
    """Validate a decoded Graph message; errors name the field, never its value (GDPR)."""
    if not isinstance(raw, dict):
        raise PermanentError("mail message is not a JSON object", reason="malformed_message")
    try:
        return GraphMessage.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "message"
        raise PermanentError(
            f"mail message field {where}: {first['msg']}", reason="malformed_message"
        ) from None


class MailFolder(StrEnum):
    """Well-known folders (Graph names), and what the normaliser does with mail in them."""

    INBOX = "inbox"  # inbound
    INBOX_SUBFOLDER = "inbox_subfolder"  # inbound (rules file mail there)
    SENT_ITEMS = "sentitems"  # outbound, one event per external recipient
    DRAFTS = "drafts"  # skipped
    OUTBOX = "outbox"  # not sent yet: skipped as a draft (it reappears in sent items)
    DELETED_ITEMS = "deleteditems"  # skipped
    JUNK_EMAIL = "junkemail"  # skipped unless the policy keeps junk
    ARCHIVE = "archive"  # direction by sender (see handlers.mail)
    OTHER = "other"  # any other folder: direction by sender

    @classmethod
    def parse(cls, text: str) -> MailFolder:
        """CLI or configuration text: a Graph well-known name in any case, an alias, or `inbox/<sub>`."""
        key = re.sub(r"[\s_-]+", "", text.strip().lower())
        if key.startswith("inbox/") or key == "inboxsubfolder":
            return cls.INBOX_SUBFOLDER
        if key in _FOLDER_ALIASES:
            return _FOLDER_ALIASES[key]
        choices = ", ".join(f.value for f in cls)
        raise ValueError(f"unknown mail folder (use one of: {choices}, or inbox/<subfolder>)")


_FOLDER_ALIASES: dict[str, MailFolder] = {
    "inbox": MailFolder.INBOX,
    "sentitems": MailFolder.SENT_ITEMS,
    "sent": MailFolder.SENT_ITEMS,
    "drafts": MailFolder.DRAFTS,
    "draft": MailFolder.DRAFTS,
    "outbox": MailFolder.OUTBOX,
    "deleteditems": MailFolder.DELETED_ITEMS,
    "deleted": MailFolder.DELETED_ITEMS,
    "recoverableitemsdeletions": MailFolder.DELETED_ITEMS,
    "junkemail": MailFolder.JUNK_EMAIL,
    "junk": MailFolder.JUNK_EMAIL,
    "archive": MailFolder.ARCHIVE,
    "other": MailFolder.OTHER,
    # Graph's remaining well-known names: no fixed meaning for contacts, so direction by sender.
    **{name: MailFolder.OTHER for name in ("msgfolderroot", "scheduled", "clutter", "conversationhistory",
                                           "conflicts", "localfailures", "serverfailures", "syncissues",
                                           "searchfolders")},
}
