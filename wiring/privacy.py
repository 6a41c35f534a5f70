"""Wiring for the data-protection officer's side: the privacy log outside the database, suppression
look-ups for capture, and the restore check."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any


class PrivacyWiring:
    """Mixed into bootstrap.Services (which supplies settings, uow, now)."""

    @cached_property
    def privacy_log(self) -> Any:
        """Append-only, beside the event archive: an append blob when ScanStorage is set, else a folder."""
        if self.settings.scan_storage or self.settings.scan_storage_blob_uri:
            from adapters.archive.blob_privacy_log import BlobPrivacyLog

            return BlobPrivacyLog.from_settings(self.settings)
        from adapters.archive.local_privacy_log import LocalPrivacyLog

        return LocalPrivacyLog(self.settings.data_dir / "archive" / "privacy-log")

    def suppressed_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of these suppression keys are set (capture skips those citizens' events)."""
        with self.uow() as uow:
            return uow.privacy.suppressed(keys)

    def verify_audit(self) -> Any:
        """The chain checked, against the heads in the privacy log too; a clean check is checkpointed."""
        from handlers.privacy import checkpoint_audit, verify_audit

        report = verify_audit(self.uow(), self.privacy_log)
        if report.ok:
            checkpoint_audit(self.uow(), self.privacy_log, self.now())
        return report

    def checkpoint_audit(self) -> int:
        from handlers.privacy import checkpoint_audit

        return checkpoint_audit(self.uow(), self.privacy_log, self.now())

    def restore_check(self, actor: str) -> Any:
        """`loket db restore-check`: re-apply what the privacy log holds to the store."""
        from handlers.restore_check import restore_check

        return restore_check(self.uow(), self.privacy_log, actor=actor, now=self.now())
