"""Reads Loket's failure log (written by handlers.crm.record_failure) for the operators' view."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from adapters.store.tables_ops import FailureRecord

CHUNK = 500
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LetterFailure:
    """A letter that could not be captured: its hashed name, the reason, when (no personal data)."""

    letter_id: str
    reason: str
    at: dt.datetime


class SqlFailureLog:
    """`latest_reasons(ids)`: the newest recorded reason per message id (plain mode logs every attempt)."""

    def __init__(self, store, now=None) -> None:  # adapters.store.uow.SqlStore, the Clock's now
        self.store = store
        self.now = now

    def latest_reasons(self, message_ids: Sequence[str]) -> dict[str, str]:
        """Empty when the store has no schema yet (`loket queues` before `loket db upgrade`)."""
        try:
            return self._latest(list(dict.fromkeys(message_ids)))
        except (OperationalError, ProgrammingError):
            log.warning("failure log unreadable: dead letters show the broker's reasons only")
            return {}

    def _latest(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        with self.store.engine.connect() as conn:
            for start in range(0, len(ids), CHUNK):
                stmt = (
                    select(FailureRecord.message_id, FailureRecord.reason)
                    .where(FailureRecord.message_id.in_(ids[start : start + CHUNK]))
                    .order_by(FailureRecord.recorded_at, FailureRecord.id)
                )
                for message_id, reason in conn.execute(stmt):
                    found[message_id] = reason  # later rows win
        return found

    # --- letters (handlers.capture_letter.LetterFailures; issue 15) ---
    def record(self, letter_id: str, entity: str, reason: str) -> None:
        with self.store.engine.begin() as conn:
            conn.execute(insert(FailureRecord).values(
                message_id=letter_id, entity=entity, reason=reason[:255],
                recorded_at=self._now()))

    def history(self, letter_id: str) -> list[tuple[str, str]]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(FailureRecord.entity, FailureRecord.reason)
                .where(FailureRecord.message_id == letter_id)
                .order_by(FailureRecord.id)  # insertion order: a test clock may move back
            )
            return [(entity, reason) for entity, reason in rows]

    def open_letter_failures(self, entity: str = "scanned-post") -> list[LetterFailure]:
        """Letters whose latest row is a failure (not `captured`), oldest first; empty without a schema."""
        latest: dict[str, LetterFailure] = {}
        try:
            with self.store.engine.connect() as conn:
                rows = conn.execute(
                    select(FailureRecord.message_id, FailureRecord.reason, FailureRecord.recorded_at)
                    .where(FailureRecord.entity == entity)
                    .order_by(FailureRecord.id)
                )
                for letter_id, reason, at in rows:
                    latest[letter_id] = LetterFailure(letter_id, reason, _aware(at))
        except (OperationalError, ProgrammingError):
            log.warning("failure log unreadable: letter failures unknown")
            return []
        return sorted((f for f in latest.values() if f.reason != "captured"), key=lambda f: f.at)

    def _now(self) -> dt.datetime:
        return self.now() if self.now is not None else dt.datetime.now(dt.UTC)


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)
