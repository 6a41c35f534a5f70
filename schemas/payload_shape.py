"""What a decoded JSON payload is, so a command given the wrong file can say what it got (issue #14).

Only the shape is read (keys, `@odata.context`), never a value: the text is safe to print and to log.
Order matters where shapes overlap: a PSTN call-log row has `id` and `startDateTime` like a callRecord,
and a delta page is a list page with a delta link.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Shape:
    name: str
    text: str  # how an error names it: "a Graph message", "a PSTN call-log row (getPstnCalls …)"


MESSAGE = Shape("message", "a Graph message")
CALL_RECORD = Shape("call_record", "a callRecord")
PSTN_ROW = Shape("pstn_row", "a PSTN call-log row (getPstnCalls/getDirectRoutingCalls)")
PSTN_PAGE = Shape("pstn_page", "a PSTN call-log page (getPstnCalls/getDirectRoutingCalls value[])")
NOTIFICATION = Shape("notification", "a change-notification POST body (value[] of notifications)")
NOTIFICATION_ITEM = Shape(
    "notification_item", "a single change notification (an item of value[], not the body)"
)
DELTA_PAGE = Shape("delta_page", "a delta page (value[] with @odata.deltaLink/nextLink)")
LIST_PAGE = Shape("list_page", "a list page (value[])")
PARTICIPANTS_PAGE = Shape("participants_page", "a participants_v2 page (value[] of participants)")
SESSIONS_PAGE = Shape("sessions_page", "a sessions page (value[] of sessions)")
BATCH = Shape("batch", "a JSON $batch (requests[]/responses[])")
SIDECAR = Shape("sidecar", "a scan sidecar (.pdf.json)")
OTHER = Shape("other", "a JSON document of no shape Loket reads")
NOT_OBJECT = Shape("not_object", "JSON that is not an object")

_PSTN_KEYS = frozenset(
    {
        "callerNumber",
        "calleeNumber",
        "callType",
        "charge",
        "finalSipCode",
        "correlationId",
        "licenseCapability",
        "trunkFullyQualifiedDomainName",
        "successfulCall",
    }
)
_RECORD_KEYS = frozenset(
    {"sessions", "organizer", "organizer_v2", "participants", "participants_v2", "modalities", "joinWebUrl"}
)
_MESSAGE_KEYS = frozenset(
    {
        "internetMessageId",
        "subject",
        "bodyPreview",
        "from",
        "sender",
        "toRecipients",
        "receivedDateTime",
        "isDraft",
        "conversationId",
    }
)
_NOTIFICATION_KEYS = frozenset(
    {"subscriptionId", "changeType", "lifecycleEvent", "clientState", "resourceData"}
)
_SIDECAR_KEYS = frozenset({"received_at", "tray", "department", "sender", "pages", "reference"})


def describe(raw: Any) -> Shape:
    if not isinstance(raw, dict):
        return NOT_OBJECT
    context = str(raw.get("@odata.context", "")).lower()
    keys = set(raw)
    if isinstance(raw.get("requests"), list) or isinstance(raw.get("responses"), list):
        return BATCH
    if isinstance(raw.get("value"), list):
        return _collection(raw, context)
    if "pstncalllogrow" in context or "directroutinglogrow" in context or len(keys & _PSTN_KEYS) >= 2:
        return PSTN_ROW
    if keys & _NOTIFICATION_KEYS and ("resource" in keys or "lifecycleEvent" in keys):
        return NOTIFICATION_ITEM
    if "callrecords" in context or (keys & _RECORD_KEYS and "startDateTime" in keys):
        return CALL_RECORD
    if (
        "messages" in context
        or len(keys & _MESSAGE_KEYS) >= 2
        or "message" in str(raw.get("@odata.type", "")).lower()
    ):
        return MESSAGE
    if "id" in keys and "startDateTime" in keys:
        return CALL_RECORD  # a bare record (sessions not expanded): let its own validation speak
    if keys & _SIDECAR_KEYS:
        return SIDECAR
    return OTHER


def _collection(raw: dict[str, Any], context: str) -> Shape:
    items = [i for i in raw["value"] if isinstance(i, dict)]
    first = set(items[0]) if items else set()
    if "pstncalllogrow" in context or "directroutinglogrow" in context or len(first & _PSTN_KEYS) >= 2:
        return PSTN_PAGE
    if first & _NOTIFICATION_KEYS or "validationTokens" in raw:
        return NOTIFICATION
    if "participants_v2" in context or (
        first and first <= {"id", "identity", "@odata.type"} and "identity" in first
    ):
        return PARTICIPANTS_PAGE
    if "/sessions" in context or (first and {"caller", "callee"} <= first):
        return SESSIONS_PAGE
    if (
        "@odata.deltaLink" in raw
        or "/delta" in context
        or "delta" in str(raw.get("@odata.nextLink", "")).lower()
    ):
        return DELTA_PAGE
    return LIST_PAGE


def mismatch(shape: Shape, expected: str, expected_text: str) -> str | None:
    """`given …, expected …` when `shape` is positively another known payload; None when it is the
    expected one or unrecognised (then the payload's own validation names the field that is wrong)."""
    if shape.name in (expected, OTHER.name, NOT_OBJECT.name):
        return None
    return f"given {shape.text}, expected {expected_text}"
