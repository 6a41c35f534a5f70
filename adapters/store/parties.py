"""Parties repository: identifiers with one owner each, name search, review pairs, merge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from adapters.store.sql import insert_ignoring
from adapters.store.tables import Contact, Party, PartyIdentifier
from adapters.store.tables_ops import ReviewPair
from handlers.identity import name_groups, name_key, name_similarity
from handlers.ports.store import Identifier, IdentifierType, PartyRecord
from schemas.timeline import IdentifierView, ReviewPairView

NAME_CANDIDATES = 200  # parties ranked in Python per name look-up; the SQL narrows to these first


def like_pattern(key: str) -> str:
    """A LIKE pattern for a name key's substring, with LIKE's own wildcards escaped."""
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqlParties:
    def __init__(self, session: Session) -> None:
        self.session = session

    def owners(self, identifiers: Iterable[Identifier]) -> dict[Identifier, int]:
        wanted = list(identifiers)
        if not wanted:
            return {}
        rows = self.session.execute(
            select(PartyIdentifier.type, PartyIdentifier.value, PartyIdentifier.party_id).where(
                or_(
                    *(
                        and_(PartyIdentifier.type == i.type.value, PartyIdentifier.value == i.value)
                        for i in wanted
                    )
                )
            )
        )
        return {Identifier(IdentifierType(t), v): p for t, v, p in rows}

    def create(
        self, display_name: str | None, identifiers: Sequence[Identifier], now: dt.datetime
    ) -> int | None:
        try:
            with self.session.begin_nested():
                party_id = self.session.execute(
                    insert(Party)
                    .values(
                        display_name=display_name,
                        name_folded=name_key(display_name or "") or None,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(Party.id)
                ).scalar_one()
                self.session.execute(insert(PartyIdentifier), [_row(party_id, i, now) for i in identifiers])
        except IntegrityError:
            return None
        return party_id

    def attach(self, party_id: int, identifier: Identifier, now: dt.datetime) -> int:
        try:
            with self.session.begin_nested():
                self.session.execute(insert(PartyIdentifier).values(_row(party_id, identifier, now)))
        except IntegrityError:
            return self.owners([identifier])[identifier]
        return party_id

    def name_if_unnamed(self, party_id: int, display_name: str, now: dt.datetime) -> None:
        self.session.execute(
            update(Party)
            .where(Party.id == party_id, Party.display_name.is_(None))
            .values(display_name=display_name, name_folded=name_key(display_name), updated_at=now)
        )

    def rename(self, party_id: int, display_name: str | None, now: dt.datetime) -> None:
        self.session.execute(
            update(Party)
            .where(Party.id == party_id)
            .values(
                display_name=display_name, name_folded=name_key(display_name or "") or None, updated_at=now
            )
        )

    def remove_identifier(self, party_id: int, identifier: Identifier) -> bool:
        gone = self.session.execute(
            delete(PartyIdentifier).where(
                PartyIdentifier.party_id == party_id,
                PartyIdentifier.type == identifier.type.value,
                PartyIdentifier.value == identifier.value,
            )
        ).rowcount
        return bool(gone)

    def get(self, party_id: int) -> PartyRecord | None:
        return self.get_many([party_id]).get(party_id)

    def get_many(self, party_ids: Sequence[int]) -> dict[int, PartyRecord]:
        rows = self.session.execute(
            select(Party.id, Party.display_name, Party.created_at).where(Party.id.in_(list(party_ids)))
        )
        return {r.id: PartyRecord(r.id, r.display_name, r.created_at) for r in rows}

    def identifiers(self, party_id: int) -> list[IdentifierView]:
        return self.identifiers_many([party_id])[party_id]

    def identifiers_many(self, party_ids: Sequence[int]) -> dict[int, list[IdentifierView]]:
        found: dict[int, list[IdentifierView]] = {pid: [] for pid in party_ids}
        rows = self.session.execute(
            select(
                PartyIdentifier.party_id, PartyIdentifier.type, PartyIdentifier.value, PartyIdentifier.label
            )
            .where(PartyIdentifier.party_id.in_(list(party_ids)))
            .order_by(PartyIdentifier.id)
        )
        for pid, kind, value, label in rows:
            found[pid].append(IdentifierView(type=kind, value=value, label=label))
        return found

    def find(self, kind: IdentifierType | None, value: str, limit: int) -> list[int]:
        if kind is None:
            return self._find_name(value, limit)
        stmt = select(PartyIdentifier.party_id).where(
            PartyIdentifier.type == kind.value, PartyIdentifier.value == value
        )
        return list(self.session.scalars(stmt.limit(limit)))

    def _find_name(self, typed: str, limit: int) -> list[int]:
        """Parties whose name key holds every part of the typed name, best match first.

        The SQL narrows (each part a `LIKE '%…%'`: PostgreSQL's trigram index serves it, SQLite scans
        the short keys); the ranking is handlers.identity.name_similarity, the same on both, with
        pg_trgm's `similarity` choosing the candidates on PostgreSQL. Ties: the newest party first.
        """
        groups = name_groups(typed)
        if not groups:
            return []
        stmt = select(Party.id, Party.display_name).where(
            *(Party.name_folded.like(like_pattern(g), escape="\\") for g in groups)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            stmt = stmt.order_by(func.similarity(Party.name_folded, "".join(groups)).desc(), Party.id.desc())
        else:
            stmt = stmt.order_by(func.length(Party.name_folded), Party.id.desc())
        rows = self.session.execute(stmt.limit(NAME_CANDIDATES)).all()
        ranked = sorted(rows, key=lambda r: (-name_similarity(typed, r.display_name or ""), -r.id))
        return [r.id for r in ranked[:limit]]

    def flag(self, a: int, b: int, reason: str, now: dt.datetime) -> None:
        low, high = sorted((a, b))
        self.session.execute(
            insert_ignoring(self.session, ReviewPair.__table__),
            {"party_a": low, "party_b": high, "reason": reason, "status": "open", "created_at": now},
        )

    def pairs(self, status: str | None) -> list[ReviewPairView]:
        pa, pb = aliased(Party), aliased(Party)
        stmt = (
            select(ReviewPair, pa.display_name, pb.display_name)
            .join(pa, pa.id == ReviewPair.party_a)
            .join(pb, pb.id == ReviewPair.party_b)
            .order_by(ReviewPair.created_at, ReviewPair.id)
        )
        if status:
            stmt = stmt.where(ReviewPair.status == status)
        return [
            ReviewPairView(
                party_a=r.party_a,
                party_b=r.party_b,
                reason=r.reason,
                status=r.status,
                created_at=r.created_at,
                name_a=na,
                name_b=nb,
            )
            for r, na, nb in self.session.execute(stmt)
        ]

    def resolve(self, a: int, b: int, status: str, actor: str, now: dt.datetime) -> bool:
        low, high = sorted((a, b))
        done = self.session.execute(
            update(ReviewPair)
            .where(ReviewPair.party_a == low, ReviewPair.party_b == high, ReviewPair.status == "open")
            .values(status=status, resolved_at=now, resolved_by=actor)
        )
        return bool(done.rowcount)

    def merge(self, keep: int, other: int, now: dt.datetime) -> None:
        self.session.execute(
            update(PartyIdentifier).where(PartyIdentifier.party_id == other).values(party_id=keep)
        )
        self.session.execute(update(Contact).where(Contact.party_id == other).values(party_id=keep))
        self._repoint_pairs(keep, other)
        self.session.execute(update(Party).where(Party.id == keep).values(updated_at=now))
        self.session.execute(delete(Party).where(Party.id == other))

    def _repoint_pairs(self, keep: int, other: int) -> None:
        """Open pairs of the merged party become pairs of the kept one (cascade would drop them)."""
        for pair in self.session.scalars(
            select(ReviewPair).where(
                or_(ReviewPair.party_a == other, ReviewPair.party_b == other), ReviewPair.status == "open"
            )
        ).all():
            third = pair.party_b if pair.party_a == other else pair.party_a
            if third != keep:
                self.flag(keep, third, pair.reason, pair.created_at)

    def delete(self, party_id: int) -> int:
        gone = self.session.execute(
            delete(PartyIdentifier).where(PartyIdentifier.party_id == party_id)
        ).rowcount
        self.session.execute(delete(Party).where(Party.id == party_id))
        return gone

    def delete_orphans(self, created_before: dt.datetime) -> int:
        has_contact = exists().where(Contact.party_id == Party.id)
        orphans = select(Party.id).where(~has_contact, Party.created_at < created_before)
        return self.session.execute(delete(Party).where(Party.id.in_(orphans))).rowcount

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Party)) or 0


def _row(party_id: int, identifier: Identifier, now: dt.datetime) -> dict[str, object]:
    return {
        "party_id": party_id,
        "type": identifier.type.value,
        "value": identifier.value,
        "label": identifier.label,
        "created_at": now,
    }
