"""Contacts repository: one row per event id, its departments as rows, the timeline query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from adapters.store.sql import insert_ignoring, upsert
from adapters.store.tables import Agent, Contact, ContactDepartment, Department
from adapters.store.timelines import read_agent_departments, read_timelines
from errors import DuplicateEvent
from handlers.ports.store import StoredContact
from schemas.contact_event import ContactEvent
from schemas.timeline import TimelineEntry


def contact_row(event: ContactEvent, now: dt.datetime) -> dict[str, Any]:
    """The contacts row for an event (also used by the benchmark's plain batched insert)."""
    return {
        "event_id": str(event.event_id),
        "version": event.source.version,
        "channel": event.channel.value,
        "direction": event.direction.value,
        "occurred_at": event.occurred_at,
        "ended_at": event.ended_at,
        "duration_seconds": event.duration_seconds,
        "outcome": event.outcome.value,
        "subject": event.subject,
        "summary": event.summary,
        "conversation_id": event.conversation_id,
        "agent_id": event.agent.id if event.agent else None,
        "source_system": event.source.system.value,
        "source_id": event.source.id,
        "source_uri": event.source.uri,
        "mailboxes": list(event.source.mailboxes),
        "captured_at": event.captured_at,
        "recorded_at": now,
    }


class SqlContacts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, event_id: UUID) -> StoredContact | None:
        row = self.session.execute(
            select(Contact.id, Contact.version, Contact.party_id, Contact.mailboxes).where(
                Contact.event_id == str(event_id)
            )
        ).first()
        if row is None:
            return None
        departments = self.session.scalars(
            select(ContactDepartment.department).where(ContactDepartment.contact_id == row.id)
        )
        return StoredContact(
            event_id, row.version, row.party_id, frozenset(departments), tuple(row.mailboxes)
        )

    def insert(self, event: ContactEvent, now: dt.datetime) -> None:
        self._agent(event, now)
        try:
            with self.session.begin_nested():  # a lost race rolls back this savepoint only
                contact_id = self.session.execute(
                    insert(Contact).values(contact_row(event, now)).returning(Contact.id)
                ).scalar_one()
        except IntegrityError as exc:
            raise DuplicateEvent(f"contact {event.event_id} exists already") from exc
        self._departments(contact_id, event.departments)

    def replace(self, event: ContactEvent, now: dt.datetime) -> bool:
        self._agent(event, now)
        row = contact_row(event, now)
        del row["event_id"]
        contact_id = self.session.execute(
            update(Contact)
            # the version test is re-checked after a concurrent writer's commit (row lock), so a
            # slower, older replacement can never overwrite a newer one
            .where(Contact.event_id == str(event.event_id), Contact.version < event.source.version)
            .values(row)
            .returning(Contact.id)
        ).scalar_one_or_none()
        if contact_id is None:
            return False
        self.session.execute(delete(ContactDepartment).where(ContactDepartment.contact_id == contact_id))
        self._departments(contact_id, event.departments)
        return True

    def add_routing(self, event_id: UUID, departments: Iterable[str], mailboxes: Sequence[str]) -> None:
        row = self.session.execute(
            select(Contact.id, Contact.mailboxes).where(Contact.event_id == str(event_id)).with_for_update()
        ).one()
        merged = list(row.mailboxes) + [m for m in mailboxes if m not in row.mailboxes]
        self.session.execute(update(Contact).where(Contact.id == row.id).values(mailboxes=merged))
        self._departments(row.id, departments)

    def restrict_text(self, event_id: UUID, *, keep_subject: bool, keep_summary: bool) -> None:
        if keep_subject and keep_summary:
            return
        values = {"summary": None} if keep_subject else {"summary": None, "subject": None}
        self.session.execute(update(Contact).where(Contact.event_id == str(event_id)).values(values))

    def link(self, event_id: UUID, party_id: int | None) -> None:
        self.session.execute(
            update(Contact).where(Contact.event_id == str(event_id)).values(party_id=party_id)
        )

    def _agent(self, event: ContactEvent, now: dt.datetime) -> None:
        """Write the agent only when new or changed: an upsert per contact would lock the agent's row
        and serialise every concurrent writer handling that colleague's contacts."""
        if event.agent is None:
            return
        a = event.agent
        known = self.session.execute(select(Agent.display_name, Agent.upn).where(Agent.id == a.id)).first()
        if known is not None and tuple(known) == (a.display_name, a.upn):
            return
        self.session.execute(
            upsert(self.session, Agent.__table__, ["id"], ["display_name", "upn", "updated_at"]),
            {"id": a.id, "display_name": a.display_name, "upn": a.upn, "updated_at": now},
        )

    def _departments(self, contact_id: int, departments: Iterable[str]) -> None:
        names = sorted(set(departments))
        if not names:
            return
        known = set(self.session.scalars(select(Department.name).where(Department.name.in_(names))))
        if missing := [n for n in names if n not in known]:
            self.session.execute(
                insert_ignoring(self.session, Department.__table__), [{"name": n} for n in missing]
            )
        self.session.execute(
            insert_ignoring(self.session, ContactDepartment.__table__),
            [{"contact_id": contact_id, "department": n} for n in names],
        )

    def timeline(self, party_id: int) -> list[TimelineEntry]:
        return read_timelines(self.session, [party_id]).get(party_id, [])

    def timelines(self, party_ids: Sequence[int]) -> dict[int, list[TimelineEntry]]:
        return read_timelines(self.session, party_ids)

    def agent_departments(self, agent_ids: Sequence[str]) -> dict[str, str]:
        return read_agent_departments(self.session, agent_ids)

    def event_ids_of(self, party_id: int) -> list[UUID]:
        return [
            UUID(e)
            for e in self.session.scalars(select(Contact.event_id).where(Contact.party_id == party_id))
        ]

    def delete_events(self, event_ids: Sequence[UUID]) -> None:
        keys = [str(e) for e in event_ids]
        for chunk in (keys[i : i + 500] for i in range(0, len(keys), 500)):
            self.session.execute(delete(Contact).where(Contact.event_id.in_(chunk)))

    def expire(self, channel: str, before: dt.datetime) -> list[UUID]:
        gone = self.session.scalars(
            delete(Contact)
            .where(Contact.channel == channel, Contact.occurred_at < before)
            .returning(Contact.event_id)
        ).all()
        return [UUID(e) for e in gone]
