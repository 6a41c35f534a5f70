"""Graph change-notification collections (change, lifecycle, Event Hubs validation), as POSTed to the webhook.

msgraph-sdk has no model for these (graph-contracts.md §1.2), so they are parsed here, tolerant of
the documented quirks: `"Created"` capitalised, `resourceData.Id`, `@odata.type` in any casing,
placeholders where GUIDs belong, `"NA"` timestamps in Event Hubs validation items.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs, unquote, urlsplit

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from errors import PermanentError
from schemas.graph_base import GraphModel, parse_graph_datetime
from schemas.json_limits import JsonTooDeep, loads_bounded

KNOWN_CHANGE_TYPES = ("created", "updated", "deleted")
LIFECYCLE_EVENTS = ("missed", "subscriptionRemoved", "reauthorizationRequired")


def lenient_datetime(value: Any) -> dt.datetime | None:
    """A timestamp, or None for `"NA"` (Event Hubs validation) and anything else unreadable."""
    try:
        parsed = parse_graph_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dt.datetime) else None


def canonical_change_type(value: Any) -> Any:
    """`Created` and `created` are one change type; other text (a validation string) is kept as is."""
    if isinstance(value, str) and value.strip().lower() in KNOWN_CHANGE_TYPES:
        return value.strip().lower()
    return value


def canonical_lifecycle_event(value: Any) -> Any:
    if isinstance(value, str):
        return next((e for e in LIFECYCLE_EVENTS if e.lower() == value.strip().lower()), value.strip())
    return value


class ResourceData(GraphModel):
    """`resourceData`; keys are matched in any case (`id` and the 2016 docs' `Id`)."""

    odata_type: str | None = Field(None, alias="@odata.type")
    odata_id: str | None = Field(None, alias="@odata.id")
    odata_etag: str | None = Field(None, alias="@odata.etag")
    id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _keys_any_case(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {str(k).lower(): v for k, v in data.items()}
        return data


class EncryptedContent(GraphModel):
    """Rich notifications: decrypted (and the validation tokens checked) behind the queue, never here."""

    data: str | None = None
    data_key: str | None = None
    data_signature: str | None = None
    encryption_certificate_id: str | None = None
    encryption_certificate_thumbprint: str | None = None


class ChangeNotification(GraphModel):
    """One item of `value[]`: a change (changeType + resource) or a lifecycle event."""

    id: str | None = None
    subscription_id: str | None = None
    subscription_expiration_date_time: Annotated[dt.datetime | None, BeforeValidator(lenient_datetime)] = None
    client_state: str | None = None
    change_type: Annotated[str | None, BeforeValidator(canonical_change_type)] = None
    resource: str | None = None
    resource_data: ResourceData | None = None
    tenant_id: str | None = None
    lifecycle_event: Annotated[str | None, BeforeValidator(canonical_lifecycle_event)] = None
    encrypted_content: EncryptedContent | None = None

    @property
    def odata_type(self) -> str:
        """`@odata.type` of the resource, lower-cased (`#microsoft.graph.message`), or ''."""
        return ((self.resource_data and self.resource_data.odata_type) or "").strip().lower()


class NotificationCollection(GraphModel):
    """The POST body. Items stay raw here so one malformed item cannot sink its batch."""

    value: list[Any]
    validation_tokens: tuple[str, ...] | None = None


def parse_collection(body: bytes | str) -> NotificationCollection:
    """Decode the body; malformed JSON or a body that is not a collection is a PermanentError."""
    try:
        text = body.decode("utf-8-sig") if isinstance(body, bytes) else body
        raw = loads_bounded(text)
    except JsonTooDeep as exc:
        raise PermanentError(f"notification body {exc}", reason="malformed_notification") from None
    except UnicodeDecodeError:
        raise PermanentError("notification body is not UTF-8 text", reason="malformed_notification") from None
    except json.JSONDecodeError as exc:
        raise PermanentError(
            f"notification body is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})",
            reason="malformed_notification",
        ) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), list):
        from schemas.payload_shape import describe

        raise PermanentError(
            f"notification body is not a change-notification collection (no 'value' array; given "
            f"{describe(raw).text})",
            reason="malformed_notification",
        )
    try:
        return NotificationCollection.model_validate(raw)
    except ValidationError:
        raise PermanentError(
            "notification body field validationTokens is not a list of strings",
            reason="malformed_notification",
        ) from None


_TEXT_FIELDS = ("id", "subscription_id", "client_state", "change_type", "resource", "tenant_id",
                "lifecycle_event")
_KNOWN = {"id", "subscriptionid", "subscriptionexpirationdatetime", "clientstate", "changetype", "resource",
          "resourcedata", "tenantid", "lifecycleevent", "encryptedcontent", "@odata.type"}
_SNAKE = {"id": "id", "subscriptionid": "subscription_id", "subscriptionexpirationdatetime":
          "subscription_expiration_date_time", "clientstate": "client_state", "changetype": "change_type",
          "resource": "resource", "resourcedata": "resource_data", "tenantid": "tenant_id",
          "lifecycleevent": "lifecycle_event", "encryptedcontent": "encrypted_content"}


@dataclass(frozen=True)
class ReadItem:
    """One `value[]` item read field by field, and the oddities tolerated on the way (stable codes)."""

    item: ChangeNotification
    oddities: tuple[str, ...] = ()


def parse_item(raw: Any) -> ChangeNotification:
    """One `value[]` item; a PermanentError only when it is not an object (the caller ignores the item)."""
    return read_item(raw).item


def read_item(raw: Any) -> ReadItem:
    """Read each field on its own: one malformed optional field is dropped and counted, never fatal.

    Keys match in any case and spelling (`subscriptionId`, `SubscriptionId`, `subscription_id`); a field of
    the wrong type is dropped (`resource_data_not_object`, `<field>_not_text`); numbers in text fields are
    read as text; unknown properties are counted once (`extra_property`). Only a non-object is refused.
    """
    if not isinstance(raw, dict):
        raise PermanentError("notification item is not a JSON object", reason="malformed_notification")
    oddities: list[str] = []
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        squashed = str(key).replace("_", "").lower()
        if squashed not in _KNOWN:
            oddities.append("extra_property")
            continue
        name = _SNAKE.get(squashed)
        if name is not None and name not in fields:
            if str(key) != _camel(name) and squashed != "id":
                oddities.append("key_spelling")
            fields[name] = value
    clean: dict[str, Any] = {}
    for name in _TEXT_FIELDS:
        value = fields.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            clean[name] = str(value)
            oddities.append(f"{name}_not_text")
        elif value is None or isinstance(value, str):
            clean[name] = value
        else:
            oddities.append(f"{name}_not_text")
    clean["subscription_expiration_date_time"] = fields.get("subscription_expiration_date_time")
    clean["resource_data"] = _sub_object(fields.get("resource_data"), ResourceData, "resource_data", oddities)
    clean["encrypted_content"] = _sub_object(fields.get("encrypted_content"), EncryptedContent,
                                             "encrypted_content", oddities)
    try:
        item = ChangeNotification.model_validate(clean)
    except ValidationError as exc:  # not expected: every field was checked above
        where = ".".join(str(p) for p in exc.errors()[0]["loc"]) or "item"
        raise PermanentError(f"notification item field {where} is malformed",
                             reason="malformed_notification") from None
    return ReadItem(item, tuple(dict.fromkeys(oddities)))


def _squash(key: str) -> str:
    return str(key).replace("_", "").lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _sub_object(value: Any, model: type[GraphModel], name: str, oddities: list[str]) -> Any:
    """The nested object when it is one and reads; otherwise None and an oddity (never fatal)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        oddities.append(f"{name}_not_object")
        return None
    read = {f.alias or f_name for f_name, f in model.model_fields.items()} | set(model.model_fields)
    read = {_squash(k) for k in read}
    kept: dict[str, Any] = {}
    for key, item in value.items():
        if _squash(key) not in read:
            continue  # what Loket does not read cannot hurt it (rich payload keys, SDK duplicates …)
        if item is None or isinstance(item, str):
            kept[key] = item
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            kept[key] = str(item)
            oddities.append(f"{name}_field_not_text")
        else:
            oddities.append(f"{name}_field_not_text")
    try:
        return model.model_validate(kept)
    except ValidationError:
        oddities.append(f"{name}_unreadable")
        return None


def validation_token(query: dict[str, str] | Any) -> str | None:
    """The handshake token (already URL-decoded by the host) when Graph is validating the URL, else None.

    The answer is 200, `text/plain`, the token itself (graph-contracts.md §1.1); check this before JSON.
    """
    token = query.get("validationToken") if hasattr(query, "get") else None
    return token if isinstance(token, str) else None


@dataclass(frozen=True)
class MessageResource:
    user_id: str
    message_id: str
    tenant_id: str | None = None


_USER = r"users(?:\('(?P<u1>[^']+)'\)|/(?P<u2>[^/(]+))"
_FOLDER = r"(?:/mailfolders(?:\('[^']*'\)|/[^/]+))?"
_MESSAGE = r"/messages(?:\('(?P<m1>[^']+)'\)|/(?P<m2>[^/?(]+))"
_MESSAGE_PATH = re.compile(r"^/?(?:v1\.0/|beta/)?" + _USER + _FOLDER + _MESSAGE, re.IGNORECASE)
_CALL_PATH = re.compile(
    r"^/?(?:v1\.0/|beta/)?communications/callrecords(?:\('(?P<c1>[^']+)'\)|/(?P<c2>[^/?(]+))", re.IGNORECASE
)


def parse_message_resource(resource: str | None) -> MessageResource | None:
    """`users/{id}/messages/{id}` in every documented form (any casing, `('…')`, `{user}@{tenant}`)."""
    match = _MESSAGE_PATH.match(resource.strip()) if resource else None
    if not match:
        return None
    user = unquote(match.group("u1") or match.group("u2"))
    tenant = None
    head, at, tail = user.rpartition("@")
    if at and "." not in tail:  # `{user guid}@{tenant guid}`; a UPN's domain always has a dot
        user, tenant = head, tail
    return MessageResource(user_id=user, message_id=unquote(match.group("m1") or match.group("m2")),
                           tenant_id=tenant)


def parse_call_resource(resource: str | None) -> str | None:
    """The callRecord id of `communications/callRecords/{id}` (any casing, or `('{id}')`), else None."""
    match = _CALL_PATH.match(resource.strip()) if resource else None
    return unquote(match.group("c1") or match.group("c2")) if match else None


@dataclass(frozen=True)
class ValidationAnswer:
    """The only correct answer to Graph's handshake: 200, text/plain, the URL-decoded token."""

    token: str
    status: int = 200
    content_type: str = "text/plain"


def validation_request(text: str) -> ValidationAnswer | None:
    """Read a raw HTTP request (as in the docs) and answer it when it carries `?validationToken=`."""
    for line in text.splitlines():
        match = re.match(r"^\s*(?:POST|GET)\s+(\S+)", line)
        if match:
            values = parse_qs(urlsplit(match.group(1)).query, keep_blank_values=True).get("validationToken")
            if values:
                return ValidationAnswer(token=values[0])  # parse_qs has URL-decoded it
    return None
