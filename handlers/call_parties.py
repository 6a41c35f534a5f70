"""Who is on a callRecord: PSTN parties, directory users, resource accounts and bots, from any identity shape.

Graph shows one party in several shapes (callrecords-real.md §d): a typed identity set (`user`, `phone`,
`applicationInstance`, …), an untyped `{id, displayName}`, an `associatedIdentity`, or only the `id` of an
organizer_v2 / participants_v2 entry (`+E.164` for a PSTN party). Everything here reduces them to a `Party`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from handlers.identity import normalise_phone
from schemas.graph_callrecord import CallRecord, Endpoint, Identity, IdentitySet, Participant
from schemas.graph_pstn_log import PstnCallLogRow

# The "(virtual) conferencing assistant" that real call-queue records show as a caller (S2, S3);
# hard-coded there for any tenant, so presumably tenant-independent (callrecords-real.md §a, unknown 6).
ASSISTANT_ID = "9e133cac-5238-4d1e-aaa0-d8ff4ca23f4e"
QUEUE_ROLE = "skypeforbusinesscallqueues"
ATTENDANT_ROLE = "skypeforbusinessautoattendant"
VOICEMAIL_ROLE = "voicemail"
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


class Kind(StrEnum):
    PHONE = "phone"  # a PSTN party; its number may be missing, withheld or not a number at all
    PERSON = "person"  # a directory user: a colleague, unless it turns out to be a resource account
    SERVICE = "service"  # application, applicationInstance (resource account), bot
    GUEST = "guest"  # a human outside the directory (meeting guest, ACS user, other tenant)


@dataclass(frozen=True)
class Party:
    kind: Kind
    id: str | None = None
    display_name: str | None = None
    upn: str | None = None
    role: str | None = None  # the endpoint's service role, lower-cased (queue, attendant, voicemail, bot…)
    tenant_id: str | None = None  # the directory the identity belongs to, when the record says

    @property
    def key(self) -> str | None:
        """Entra ids compare case-insensitively; a phone party's key is its raw number."""
        return self.id.strip().lower() if self.id and self.id.strip() else None

    @property
    def e164(self) -> str | None:
        return normalise_phone(self.id) if self.kind is Kind.PHONE else None


def _suffix(odata_type: str | None) -> str:
    """`#microsoft.graph.callRecords.phoneIdentity` in any casing -> `phoneidentity`."""
    return (odata_type or "").strip().lower().rsplit(".", 1)[-1]


def _untyped(identity: Identity | IdentitySet, *, loose_phone: bool = False) -> Party | None:
    """A plain `{id, displayName}`: the @odata.type when given, else the shape of the id decides."""
    ident, kind_hint = identity.id, _suffix(identity.odata_type)
    name, upn = identity.display_name, identity.user_principal_name
    if "phone" in kind_hint or (ident and ident.strip().startswith("+")):
        return Party(Kind.PHONE, ident, name)
    if "guest" in kind_hint or (ident and ident.lower().startswith("teamsvisitor:")):
        return Party(Kind.GUEST, ident, name)
    if "application" in kind_hint or "bot" in kind_hint:
        return Party(Kind.SERVICE, ident, name)
    if ident and _GUID.match(ident.strip()):
        return Party(Kind.PERSON, ident.strip(), name, upn, tenant_id=getattr(identity, "tenant_id", None))
    if ident and ident.strip() and loose_phone:  # `anonymous`, a Direct Routing name: a withheld caller
        return Party(Kind.PHONE, ident, name)
    return None


def _typed(ids: IdentitySet) -> Party | None:
    user = ids.user or ids.on_premises
    if ids.guest is not None or (user and user.id and user.id.lower().startswith("teamsvisitor:")):
        guest = ids.guest or user
        return Party(Kind.GUEST, guest.id if guest else None)
    if ids.phone is not None:
        return Party(Kind.PHONE, ids.phone.id, ids.phone.display_name)
    for app in (
        ids.application_instance,
        ids.acs_application_instance,
        ids.spool_application_instance,
        ids.application,
    ):
        if app is not None:
            return Party(Kind.SERVICE, app.id, app.display_name)
    if user is not None and user.id:
        return Party(Kind.PERSON, user.id.strip(), user.display_name, user.user_principal_name,
                     tenant_id=user.tenant_id)
    if any(
        x is not None
        for x in (ids.acs_user, ids.spool_user, ids.azure_communication_services_user, ids.encrypted)
    ):
        return Party(Kind.GUEST)
    return _untyped(ids, loose_phone=True)  # an untyped set with a non-GUID id: a number in some format


def identity_party(
    ids: IdentitySet | None, associated: Identity | None = None, outer_id: str | None = None
) -> Party | None:
    """One party from the typed set, then the associatedIdentity, then an organizer/participant `id`."""
    party = _typed(ids) if ids is not None else None
    extra = _untyped(associated) if associated is not None else None
    if party is None:
        party = extra
    elif extra is not None and party.kind is extra.kind and (party.key is None or party.key == extra.key):
        party = replace(
            party,
            id=party.id or extra.id,
            display_name=party.display_name or extra.display_name,
            upn=party.upn or extra.upn,
            tenant_id=party.tenant_id or extra.tenant_id,
        )
    if outer_id and outer_id.strip():
        if party is None:
            party = _untyped(Identity(id=outer_id), loose_phone=True)
        elif party.kind is Kind.PHONE and not (party.id and party.id.strip()):
            party = replace(party, id=outer_id)  # organizer_v2.id is the number even when phone.id is empty
    if ids is not None and (ids.endpoint_type or "").lower() == VOICEMAIL_ROLE and party is not None:
        party = replace(party, role=VOICEMAIL_ROLE)
    return party


def endpoint_party(endpoint: Endpoint | None) -> Party | None:
    """A session caller/callee with its service role (queue, attendant, voicemail, …) attached."""
    if endpoint is None:
        return None
    party = identity_party(endpoint.identity, endpoint.associated_identity)
    role = (endpoint.user_agent.role or "").strip().lower() if endpoint.user_agent else ""
    if role and party is None:
        return Party(Kind.SERVICE, role=role)
    return replace(party, role=role or party.role) if party is not None else None


def participant_party(participant: Participant | None) -> Party | None:
    if participant is None:
        return None
    return identity_party(participant.identity, outer_id=participant.id)


def listed_parties(record: CallRecord) -> list[Party]:
    """participants_v2 then the deprecated participants, each keyed by its identity, not the entry id.

    The docs' own example repeats one participant `id` for two people (MANIFEST.md): the identity decides.
    """
    parties = [participant_party(p) for p in record.participants_v2]
    parties += [identity_party(p) for p in record.participants]
    return [p for p in parties if p is not None]


def distinct_people(parties: list[Party]) -> set[tuple[str, str]]:
    """One entry per person (kind, id or number); repeated entries of the same person count once."""
    return {(p.kind.value, p.key or "") for p in parties}


def organizer_party(record: CallRecord) -> Party | None:
    """organizer_v2 (stays after 2026-06-30), else the deprecated organizer identity set."""
    return participant_party(record.organizer_v2) or identity_party(record.organizer)


def pstn_row_caller_e164(row: PstnCallLogRow) -> str | None:
    """A PSTN-log caller number, only when it is a valid number (logs mask digits and carry names)."""
    raw = row.caller_number or ""
    return None if "*" in raw else normalise_phone(raw)
