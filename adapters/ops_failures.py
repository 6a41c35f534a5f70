"""Reads Loket's failure log (written by handlers.crm.record_failure) for the operators' view."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from adapters.store.tables_ops import FailureRecord

CHUNK = 500
log = logging.getLogger(__name__)


class SqlFailureLog:
    """`latest_reasons(ids)`: the newest recorded reason per message id (plain mode logs every attempt)."""

    def __init__(self, store) -> None:  # adapters.store.uow.SqlStore
        self.store = store

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
