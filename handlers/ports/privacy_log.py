"""The privacy log port: erasures, rectifications, suppressions and restrictions written outside the
database (the event archive's storage), append-only, so a database restore cannot roll them back.

Records hold hashes only (tombstones, rule hashes, party refs), never identifiers or names.
`loket db restore-check` reads them back and re-applies them. Implementations: a local folder
(adapters/archive/local_privacy_log.py) and an append blob (adapters/archive/blob_privacy_log.py).
Errors: TransientError when the storage is unreachable.
"""

from __future__ import annotations

from typing import Any, Protocol


class PrivacyLog(Protocol):
    def append(self, record: dict[str, Any]) -> None:
        """Add one JSON record at the end; durable when this returns."""

    def records(self) -> list[dict[str, Any]]:
        """Every record, oldest first."""
