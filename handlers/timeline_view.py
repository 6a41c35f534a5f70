"""A timeline as staff read it: who helped, for which department, was the request answered, where to open it.

Everything here is computed when shown; the stored contacts stay exactly as captured.
- A call without a queue (a colleague's call-back or direct call) is attributed to the department the
  colleague works for: the policy's optional staff map, else the department whose queue calls they
  answered most.
- Mail a colleague sent from a service mailbox names the colleague, on behalf of the mailbox.
- A citizen's inbound request is `answered` when a reply followed in its conversation, the call was
  answered, or a call-back followed a missed call (a later outbound contact for a letter); else `open`.
- The source opens where it lives: the message in Outlook on the web (only for those with access to
  the mailbox), the scan through Loket's API (need-to-know and audit; never a raw blob URL).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote, urlparse

from schemas.timeline import TimelineEntry

OUTLOOK_HOSTS = ("outlook.office365.com", "outlook.office.com", "outlook.live.com")
SCAN_ROUTE = "/api/contacts/{event_id}/scan"


def departments_of(entry: TimelineEntry) -> tuple[str, ...]:
    """The departments a contact is shown under: as captured, else the one attributed."""
    if entry.departments:
        return entry.departments
    return (entry.attributed_department,) if entry.attributed_department else ()


def explain(
    timeline: Sequence[TimelineEntry],
    *,
    agent_departments: Mapping[str, str],
    staff: Mapping[str, str] | None = None,
) -> list[TimelineEntry]:
    """The timeline (newest first) with attribution, thread state, on-behalf and source links filled in."""
    staff = {k.lower(): v for k, v in (staff or {}).items()}
    attributed = [_attribute(e, agent_departments, staff) for e in timeline]
    return [
        e.model_copy(update={
            "thread": _thread(e, attributed[:i]),
            "on_behalf_of": _on_behalf(e),
            "source_link": source_link(e),
        })
        for i, e in enumerate(attributed)
    ]


def visible(
    entries: Sequence[TimelineEntry], can_see: Callable[[Sequence[str]], bool]
) -> list[TimelineEntry]:
    """Need-to-know on what is shown: an attributed department counts as the contact's department."""
    return [e for e in entries if can_see(departments_of(e))]


def _attribute(e: TimelineEntry, learned: Mapping[str, str], staff: Mapping[str, str]) -> TimelineEntry:
    if e.departments or not e.agent_id:
        return e
    keys = [k for k in (e.agent_id, e.agent_upn) if k]
    department = next((staff[k.lower()] for k in keys if k.lower() in staff), None) or learned.get(e.agent_id)
    return e.model_copy(update={"attributed_department": department}) if department else e


def _thread(e: TimelineEntry, later: Sequence[TimelineEntry]) -> str | None:
    """`later` are the entries after `e` in time (the timeline is newest first)."""
    if e.direction != "inbound":
        return None
    outbound = [x for x in later if x.direction == "outbound"]
    if e.channel == "mail":
        replied = e.conversation_id and any(
            x.channel == "mail" and x.conversation_id == e.conversation_id for x in outbound
        )
        return "answered" if replied else "open"
    if e.channel == "phone":
        if e.outcome == "answered":
            return "answered"
        called_back = any(x.channel == "phone" and x.outcome == "answered" for x in outbound)
        return "answered" if called_back else "open"
    mine = set(departments_of(e))
    followed = any(not mine or mine & set(departments_of(x)) for x in outbound)
    return "answered" if followed else "open"


def _on_behalf(e: TimelineEntry) -> str | None:
    if e.channel == "mail" and e.direction == "outbound" and e.agent and e.mailboxes:
        return e.mailboxes[0]
    return None


def source_link(e: TimelineEntry) -> str | None:
    """Outlook on the web for mail (https on Microsoft's hosts only), Loket's scan route for post."""
    if e.channel == "post":
        return SCAN_ROUTE.format(event_id=quote(str(e.event_id)))
    if e.channel == "mail" and e.source_uri:
        url = urlparse(e.source_uri)
        if url.scheme == "https" and url.hostname in OUTLOOK_HOSTS:
            return e.source_uri
    return None
