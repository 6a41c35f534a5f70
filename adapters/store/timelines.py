"""Timeline reads: the contacts of several parties in three queries, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from adapters.store.tables import Agent, Contact, ContactDepartment
from schemas.timeline import TimelineEntry

CHUNK = 500  # stays under every database's bound-parameter limit

COLUMNS = (
    Contact.id,
    Contact.party_id,
    Contact.event_id,
    Contact.version,
    Contact.channel,
    Contact.direction,
    Contact.occurred_at,
    Contact.ended_at,
    Contact.duration_seconds,
    Contact.outcome,
    Contact.subject,
    Contact.summary,
    Contact.conversation_id,
    Contact.mailboxes,
    Contact.source_system,
    Contact.source_uri,
    Agent.display_name.label("agent_name"),
    Contact.agent_id,
    Agent.upn.label("agent_upn"),
)


def read_timelines(session: Session, party_ids: Sequence[int]) -> dict[int, list[TimelineEntry]]:
    """Each party's contacts, newest first (a name look-up shows up to 20 parties: no query per party)."""
    rows: list[Row] = []
    for chunk in _chunks(list(party_ids)):
        rows += session.execute(
            select(*COLUMNS)
            .outerjoin(Agent, Agent.id == Contact.agent_id)
            .where(Contact.party_id.in_(chunk))
            .order_by(Contact.occurred_at.desc(), Contact.id.desc())
        ).all()
    rows.sort(key=lambda r: (r.occurred_at, r.id), reverse=True)
    departments = _departments_of(session, [r.id for r in rows])
    found: dict[int, list[TimelineEntry]] = {pid: [] for pid in party_ids}
    for r in rows:
        found[r.party_id].append(_entry(r, departments.get(r.id, ())))
    return found


def read_agent_departments(session: Session, agent_ids: Sequence[str]) -> dict[str, str]:
    """Each colleague's department as their work shows it: the one whose queue calls they answered
    most (ties: alphabetical). Colleagues who never answered a queue call are absent."""
    if not agent_ids:
        return {}
    counted = (
        select(Contact.agent_id, ContactDepartment.department, func.count().label("n"))
        .join(ContactDepartment, ContactDepartment.contact_id == Contact.id)
        .where(Contact.agent_id.in_(list(agent_ids)), Contact.channel == "phone",
               Contact.direction == "inbound", Contact.outcome == "answered")
        .group_by(Contact.agent_id, ContactDepartment.department)
    )
    best: dict[str, tuple[int, str]] = {}
    for agent_id, department, n in session.execute(counted):
        if agent_id not in best or (-n, department) < (-best[agent_id][0], best[agent_id][1]):
            best[agent_id] = (n, department)
    return {a: d for a, (_, d) in best.items()}


def _chunks(values: list[int]) -> list[list[int]]:
    return [values[i : i + CHUNK] for i in range(0, len(values), CHUNK)]


def _departments_of(session: Session, contact_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for chunk in _chunks(contact_ids):
        for cid, name in session.execute(
            select(ContactDepartment.contact_id, ContactDepartment.department)
            .where(ContactDepartment.contact_id.in_(chunk))
            .order_by(ContactDepartment.department)
        ):
            found.setdefault(cid, []).append(name)
    return {cid: tuple(names) for cid, names in found.items()}


def _entry(r: Row, departments: tuple[str, ...]) -> TimelineEntry:
    return TimelineEntry(
        event_id=UUID(r.event_id),
        version=r.version,
        channel=r.channel,
        direction=r.direction,
        occurred_at=r.occurred_at,
        ended_at=r.ended_at,
        duration_seconds=r.duration_seconds,
        outcome=r.outcome,
        departments=departments,
        agent=r.agent_name,
        agent_id=r.agent_id,
        agent_upn=r.agent_upn,
        subject=r.subject,
        summary=r.summary,
        conversation_id=r.conversation_id,
        mailboxes=tuple(r.mailboxes),
        source_system=r.source_system,
        source_uri=r.source_uri,
    )
