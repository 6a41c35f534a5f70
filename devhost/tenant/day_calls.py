"""Teams callRecords of the working day, in the documented composition and in the layout real tenants
show for call queues (callrecords-real.md): resource accounts as plain users, the conferencing
assistant as a caller, agents on the caller side of conference legs, zero-length legs for phones
that only rang. Times are relative to `t0`, the call's start; every record parses with msgraph-sdk.
"""

from __future__ import annotations

import datetime as dt
import uuid

from devhost.tenant.day_people import ASSISTANT_ID, Colleague
from devhost.tenant.odata import TENANT_ID, iso

QUEUE_ROLE, AA_ROLE = "skypeForBusinessCallQueues", "skypeForBusinessAutoAttendant"
CONFERENCE_ROLE = "conferencingAnnouncementService"
TEAMS_AGENT = {
    "@odata.type": "#microsoft.graph.callRecords.clientUserAgent",
    "platform": "windows",
    "productFamily": "teams",
    "headerValue": "Teams/25010.1",
}


def phone(number: str, name: str | None = None) -> dict:
    return {"phone": {"id": number, "displayName": name}}


def user(uid: str, name: str | None = None) -> dict:
    return {"user": {"id": uid, "displayName": name, "tenantId": TENANT_ID}}


def app_instance(uid: str, name: str) -> dict:
    return {"applicationInstance": {"id": uid, "displayName": name, "tenantId": TENANT_ID}}


def party(identity: dict, role: str | None = None, agent: Colleague | None = None) -> dict:
    """A participantEndpoint; `agent` adds the Teams client and the associatedIdentity with the UPN."""
    end = {
        "@odata.type": "#microsoft.graph.callRecords.participantEndpoint",
        "identity": {"@odata.type": "#microsoft.graph.communicationsIdentitySet", **identity},
    }
    if role:
        end["userAgent"] = {"@odata.type": "#microsoft.graph.callRecords.serviceUserAgent", "role": role}
    if agent is not None:
        end["userAgent"] = dict(TEAMS_AGENT)
        end["associatedIdentity"] = {
            "@odata.type": "#microsoft.graph.callRecords.userIdentity",
            "id": agent.id,
            "displayName": agent.name,
            "tenantId": TENANT_ID,
            "userPrincipalName": agent.upn,
        }
    return end


def service(role: str) -> dict:
    return {
        "@odata.type": "#microsoft.graph.callRecords.serviceEndpoint",
        "userAgent": {"@odata.type": "#microsoft.graph.callRecords.serviceUserAgent", "role": role},
    }


def colleague(agent: Colleague) -> dict:
    return party(user(agent.id, agent.name), agent=agent)


def session(
    t0: dt.datetime, start: float, end: float, caller: dict, callee: dict, failed: bool = False
) -> dict:
    sid = str(uuid.uuid4())
    times = {
        "startDateTime": iso(t0 + dt.timedelta(seconds=start), 7),
        "endDateTime": iso(t0 + dt.timedelta(seconds=end), 7),
    }
    body = {
        "id": sid,
        "modalities": ["audio"],
        **times,
        "isTest": False,
        "caller": caller,
        "callee": callee,
        "segments": [{"id": sid, **times, "caller": caller, "callee": callee, "media": []}],
    }
    if failed:
        body["failureInfo"] = {"stage": "callSetup", "reason": "Call was not answered"}
    return body


def record(
    t0: dt.datetime,
    seconds: float,
    organizer: dict,
    participants: list[dict],
    sessions: list[dict],
    kind: str = "groupCall",
    rid: str | None = None,
) -> dict:
    """A callRecord (version 1; the tenant raises it as new versions arrive)."""

    def listed(identity: dict) -> dict:
        inner = next(iter(identity.values()))
        return {"id": inner["id"], "identity": identity}

    return {
        "id": rid or str(uuid.uuid4()),
        "version": 1,
        "type": kind,
        "modalities": ["audio"],
        "startDateTime": iso(t0, 7),
        "endDateTime": iso(t0 + dt.timedelta(seconds=seconds), 7),
        "joinWebUrl": None,
        "organizer_v2": listed(organizer),
        "participants_v2": [listed(p) for p in participants],
        "sessions": sessions,
    }


def queue_call_real(
    t0: dt.datetime,
    caller: dict,
    queue: dict,
    answered_by: Colleague | None,
    rang: list[Colleague],
    talk: float = 300,
    voicemail: bool = False,
) -> dict:
    """A call through a call queue, as real tenants record it."""
    q = user(queue["resource_account_id"])
    wait = 30.0 + 10 * len(rang)
    end = wait + (talk if answered_by or voicemail else 0)
    sessions = [session(t0, 0, wait, party(caller), party(q, QUEUE_ROLE))]
    if answered_by is not None:
        sessions.append(session(t0, 0, end, party(user(ASSISTANT_ID)), service(CONFERENCE_ROLE)))
    for n, agent in enumerate(rang):  # their phones rang: zero-length legs
        sessions.append(session(t0, 10 + 10 * n, 10 + 10 * n, colleague(agent), service(CONFERENCE_ROLE)))
    if answered_by is not None:
        sessions.append(session(t0, wait, end, colleague(answered_by), service(CONFERENCE_ROLE)))
    if voicemail:
        sessions.append(session(t0, wait, end, party(caller), service("voicemail")))
    return record(t0, end, caller, [caller, q], sessions)


def transfer_real(t0: dt.datetime, caller: dict, queue: dict, first: Colleague, second: Colleague) -> dict:
    """Agent `first` answers, consults `second` and hands the call over (the first answer counts)."""
    q = user(queue["resource_account_id"])
    sessions = [
        session(t0, 0, 30, party(caller), party(q, QUEUE_ROLE)),
        session(t0, 0, 600, party(user(ASSISTANT_ID)), service(CONFERENCE_ROLE)),
        session(t0, 30, 200, colleague(first), service(CONFERENCE_ROLE)),
        session(t0, 180, 200, colleague(first), colleague(second)),
        session(t0, 200, 600, colleague(second), service(CONFERENCE_ROLE)),
    ]
    return record(t0, 600, caller, [caller, q, user(first.id), user(second.id)], sessions)


def queue_call_documented(
    t0: dt.datetime, caller: dict, queue: dict, answered_by: Colleague | None, rang: list[Colleague]
) -> dict:
    """The documented composition: the queue as applicationInstance, the agent as callee, failed offers."""
    q = app_instance(queue["resource_account_id"], queue["name"])
    sessions = [session(t0, 0, 40, party(caller), party(q, QUEUE_ROLE))]
    for n, agent in enumerate(rang):
        sessions.append(session(t0, 10 + 5 * n, 15 + 5 * n, party(q), colleague(agent), failed=True))
    end = 40.0
    if answered_by is not None:
        end = 420.0
        sessions.append(session(t0, 40, end, party(caller), colleague(answered_by)))
    people = [user(a.id, a.name) for a in [*rang, *([answered_by] if answered_by else [])]]
    return record(t0, end, caller, [caller, q, *people], sessions)


def attendant_call(
    t0: dt.datetime, caller: dict, attendant: dict, queue: dict | None, answered_by: Colleague | None
) -> dict:
    """Through the auto attendant: hung up in the menu (no queue), or on to a queue and answered."""
    aa = user(attendant["resource_account_id"])
    if queue is None:
        return record(t0, 14, caller, [caller, aa], [session(t0, 0, 14, party(caller), party(aa, AA_ROLE))])
    q = user(queue["resource_account_id"])
    sessions = [
        session(t0, 0, 22, party(caller), party(aa, AA_ROLE)),
        session(t0, 0, 500, party(aa), service(CONFERENCE_ROLE)),
        session(t0, 22, 95, party(aa), party(q, QUEUE_ROLE)),
        session(t0, 22, 500, party(user(ASSISTANT_ID)), service(CONFERENCE_ROLE)),
    ]
    if answered_by is not None:
        sessions.append(session(t0, 95, 500, colleague(answered_by), service(CONFERENCE_ROLE)))
    return record(t0, 500, caller, [caller, aa], sessions)


def direct_call(t0: dt.datetime, caller: dict, callee: dict, organizer_is_caller: bool = True) -> dict:
    """Peer to peer: a citizen dialling a colleague, a colleague calling a citizen, or two colleagues."""
    ident = {k: v for k, v in caller["identity"].items() if k != "@odata.type"}
    other = {k: v for k, v in callee["identity"].items() if k != "@odata.type"}
    sessions = [session(t0, 0, 95, caller, callee)]
    return record(t0, 95, ident if organizer_is_caller else other, [ident, other], sessions, "peerToPeer")


def first_version(full: dict) -> dict:
    """What a call record shows before it settles: the first leg only, still open-ended."""
    early = {k: v for k, v in full.items() if k not in ("sessions", "version")}
    early["sessions"] = full["sessions"][:1]
    early["endDateTime"] = full["sessions"][0]["endDateTime"]
    return early
