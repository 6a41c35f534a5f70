"""Wiring for the operators' view: failure log, replay jobs, queue report, erasure reach, metrics, tokens."""
from __future__ import annotations

from functools import cached_property
from typing import Any


class OpsWiring:
    """Mixed into bootstrap.Services (which supplies settings, bus, store, archive, policy, now, uow)."""

    @cached_property
    def failure_log(self) -> Any:
        from adapters.ops_failures import SqlFailureLog

        return SqlFailureLog(self.store, self.now)

    @cached_property
    def jobs(self) -> Any:
        """Jobs `loket replay` and /api/ops/jobs/{id} share: Blob Storage when ScanStorage is set."""
        if self.settings.scan_storage or self.settings.scan_storage_blob_uri:
            from adapters.jobs_blob import BlobJobStore

            return BlobJobStore.from_settings(self.settings)
        from adapters.jobs import FileJobStore

        return FileJobStore(self.settings.data_dir / "jobs")

    def queue_report(self) -> Any:
        from handlers.ops import Thresholds, queue_report

        return queue_report(self.bus, self.failure_log, Thresholds.from_settings(self.settings), self.now(),
                            letters=self.failure_log.open_letter_failures())

    def replay_deps(self) -> Any:
        from handlers.replay_jobs import ReplayDeps

        return ReplayDeps(
            bus=self.bus,
            failures=self.failure_log,
            archive=self.archive,
            topic=self.settings.contact_events_topic,
            jobs=self.jobs,
            uow=self.uow,
            now=self.now,
            letters=self.letter_replay,
        )

    def letter_replay(self) -> Any:
        """What `loket replay letters` needs: open letter failures, the container's names, the capture."""
        from handlers.replay_letters import LetterReplayDeps

        return LetterReplayDeps(open_failures=self.failure_log.open_letter_failures,
                                names=self.blobs.names, capture=self.letter_capture())

    def open_letter_failures(self) -> list:
        return self.failure_log.open_letter_failures()

    def dead_letter_entities(self) -> list[str]:
        """Where contact events can wait as dead letters: the contact-events topic's subscriptions."""
        return [c.entity for c in self.bus.counts() if c.kind == "subscription"]

    def erase_everywhere(self, party_id: int, *, actor: str, reason: str) -> Any:
        """`loket erase`: the store (with tombstones), then the party's archived events and dead letters."""
        from handlers.ops_erasure import erase_everywhere

        return erase_everywhere(
            self.uow(),
            party_id,
            archive=self.archive,
            bus=self.bus,
            entities=self.dead_letter_entities(),
            actor=actor,
            reason=reason,
            now=self.now(),
            privacy_log=self.privacy_log,
            scans=self.blobs,
        )

    def purge_expired(self) -> Any:
        """Retention beyond the store: expired archived events and dead letters (enforce_retention)."""
        from handlers.ops_erasure import purge_expired

        return purge_expired(self.archive, self.bus, self.dead_letter_entities(), self.policy, self.now())

    @cached_property
    def metrics(self) -> Any:
        """Gauges for publish_queue_metrics; exported to Application Insights when its connection is set."""
        from adapters.ops_metrics import GaugeRecorder, configure_exporter

        configure_exporter(self.settings.applicationinsights_connection_string)
        return GaugeRecorder()

    @cached_property
    def token_verifier(self) -> Any:
        """Entra ID bearer tokens (None when LOKET_API_CLIENT_ID is unset: only the local key works)."""
        from handlers.auth_tokens import TokenVerifier

        return TokenVerifier.from_settings(self.settings)
