"""The composition root: build(settings) -> Services, the one place adapters meet handlers.

Nothing is built at import time: functions reach the services through `get_services()`, which
builds them on first use (cold start) and caches them; tests and the local host install their own
with `set_services()`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from handlers import crm
from handlers.capture_call import CallCapture
from handlers.capture_letter import LetterCapture
from handlers.capture_mail import MailCapture
from handlers.lifecycle import LifecycleDeps
from handlers.notifications import QueueNames
from handlers.ports.blobs import ScanBlobs
from handlers.ports.bus import MessageBus
from handlers.ports.clock import Clock
from handlers.ports.graph import FolderResolver, GraphPort
from handlers.ports.text_extraction import TextExtractor
from handlers.skips import Skip
from handlers.webhook import WebhookDeps
from schemas.capture_policy import CapturePolicy, load_policy
from settings import Settings

log = logging.getLogger(__name__)
_GRAPH_WORK = threading.RLock()


@dataclass
class Services:
    """Everything the functions need, built from settings; adapters are created when first used."""

    settings: Settings
    clock: Clock
    bus: MessageBus
    policy: CapturePolicy
    graph_override: GraphPort | None = None  # tests: a fake Graph instead of the adapter
    _graphs: dict[int, tuple[GraphPort, FolderResolver]] = field(default_factory=dict)

    @cached_property
    def store(self) -> Any:
        from adapters.store.uow import SqlStore

        return SqlStore.from_url(self.settings.database_url)

    def uow(self) -> Any:
        return self.store.uow()

    @cached_property
    def blobs(self) -> ScanBlobs:
        match self.settings.scan_storage or self.settings.scan_storage_blob_uri:
            case None:
                from adapters.blobs.local_inbox import LocalInbox

                return LocalInbox(self.settings.data_dir / "post-inbox")
            case _:
                from adapters.blobs.azure_container import AzureScanBlobs

                return AzureScanBlobs.from_settings(self.settings)

    @cached_property
    def text_extractor(self) -> TextExtractor:
        from adapters.text_extraction.composite import local_extractor

        return local_extractor()

    @cached_property
    def archive(self) -> Any:
        """The event archive: Blob Storage when ScanStorage is set (Azure, Azurite), else the data dir."""
        if self.settings.scan_storage or self.settings.scan_storage_blob_uri:
            from adapters.archive.blob_archive import BlobArchive

            return BlobArchive.from_settings(self.settings)
        from adapters.archive.local_archive import LocalArchive

        return LocalArchive(self.settings.data_dir / "archive")

    # --- the operators' view (issue 8) ---
    @cached_property
    def failure_log(self) -> Any:
        from adapters.ops_failures import SqlFailureLog

        return SqlFailureLog(self.store)

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

        return queue_report(self.bus, self.failure_log, Thresholds.from_settings(self.settings), self.now())

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
        )

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

    def graph(self) -> tuple[GraphPort, FolderResolver]:
        """The Graph adapter of the running event loop (msgraph-sdk clients belong to one loop)."""
        key = id(asyncio.get_running_loop())
        if key not in self._graphs:
            from adapters.graph.factory import build_graph_adapter

            adapter = self.graph_override or build_graph_adapter(self.settings)
            self._graphs[key] = (adapter, FolderResolver(adapter))
        return self._graphs[key]

    def now(self) -> dt.datetime:
        return self.clock.now()

    @cached_property
    def subscriptions(self) -> Any:
        from adapters.store.subscriptions import SqlSubscriptionRegistry

        return SqlSubscriptionRegistry(self.store)

    @cached_property
    def api_key(self) -> str:
        """LOKET_API_KEY, else a key generated once into the data dir (the local stand-in for sign-in)."""
        from adapters.local_secrets import local_secret

        return self.settings.api_key or local_secret(self.settings.data_dir, "api.key")

    @cached_property
    def client_state_key(self) -> str:
        """GRAPH_CLIENT_STATE_KEY, else a key generated once into the data dir (local mode)."""
        from adapters.local_secrets import local_secret

        return self.settings.graph_client_state_key or local_secret(
            self.settings.data_dir, "client-state.key"
        )

    def webhook(self) -> WebhookDeps:
        return WebhookDeps(
            bus=self.bus,
            queues=QueueNames.from_settings(self.settings),
            call_settle_seconds=self.settings.call_settle_seconds,
            client_state_key=self.client_state_key,
            nonce_of=self.subscriptions.nonce_of,
            now=self.now,
            count_discard=self.count_discard,
        )

    def mail_capture(self) -> MailCapture:
        graph, folders = self.graph()
        return MailCapture(
            graph=graph,
            folders=folders,
            policy=self.policy,
            bus=self.bus,
            topic=self.settings.contact_events_topic,
            record_skip=self.record_skip,
            now=self.now,
            rich=self.rich_verifier,
            count_discard=self.count_discard,
        )

    def call_capture(self) -> CallCapture:
        graph, _ = self.graph()
        return CallCapture(
            graph=graph,
            policy=self.policy,
            bus=self.bus,
            topic=self.settings.contact_events_topic,
            record_skip=self.record_skip,
            now=self.now,
        )

    def letter_capture(self) -> LetterCapture:
        return LetterCapture(
            blobs=self.blobs,
            extractor=self.text_extractor,
            policy=self.policy,
            bus=self.bus,
            topic=self.settings.contact_events_topic,
            now=self.now,
        )

    def lifecycle(self) -> LifecycleDeps:
        from handlers.catch_up import catch_up_resource

        graph, _ = self.graph()
        manager, catch = self.subscription_manager(graph), self.catch_up_deps(graph)

        async def recreate(subscription_id: str) -> None:
            await manager.recreate(subscription_id)

        async def catch_up(subscription_id: str) -> None:
            await catch_up_resource(catch, manager.resource_of(subscription_id))

        return LifecycleDeps(graph=graph, recreate=recreate, catch_up=catch_up)

    def health(self) -> dict[str, str]:
        from adapters.health_checks import check_bus, check_graph, check_store

        return {
            "bus": check_bus(self.bus),
            "store": check_store(self.store),
            "graph": check_graph(self.settings.graph_base_url),
        }

    # --- Graph subscriptions, catch-up, rich notifications (issue 7) ---
    def subscription_manager(self, graph: GraphPort) -> Any:
        from handlers.subscriptions import SubscriptionConfig, SubscriptionManager

        cert = self.rich_certificate
        s = self.settings
        config = SubscriptionConfig(
            notification_url=s.graph_notification_url,
            lifecycle_url=s.graph_lifecycle_url,
            client_state_key=self.client_state_key,
            calls_tenant_wide=s.graph_callrecords_tenant_wide,
            certificate=cert.certificate_b64 if cert else None,
            certificate_id=cert.certificate_id if cert else None,
        )
        return SubscriptionManager(graph, self.subscriptions, self.policy, config, self.now)

    def catch_up_deps(self, graph: GraphPort) -> Any:
        from handlers.catch_up import CatchUpDeps

        return CatchUpDeps(
            graph=graph,
            registry=self.subscriptions,
            bus=self.bus,
            queues=QueueNames.from_settings(self.settings),
            policy=self.policy,
            now=self.now,
            call_settle_seconds=self.settings.call_settle_seconds,
            call_lookback=dt.timedelta(minutes=self.settings.catch_up_call_lookback_minutes),
        )

    @cached_property
    def rich_certificate(self) -> Any:
        """The rich-notification certificate, or None (basic notifications) when none is configured."""
        if self.settings.graph_rich_certificate_path is None or not self.settings.graph_client_id:
            return None
        from adapters.graph.jwks_certificate import load_rich_certificate

        return load_rich_certificate(
            self.settings.graph_rich_certificate_path, self.settings.graph_rich_certificate_id
        )

    @cached_property
    def rich_verifier(self) -> Any:
        if self.rich_certificate is None:
            return None
        from adapters.graph.jwks import JwksKeys
        from handlers.rich_notifications import RichVerifier

        cert = self.rich_certificate
        return RichVerifier(
            keys=JwksKeys(self.settings.graph_jwks_url),
            tenant_id=self.settings.graph_tenant_id or self.policy.tenant.id,
            app_id=self.settings.graph_client_id,
            private_keys={cert.certificate_id: cert.private_key},
            now=self.now,
        )

    def count_discard(self, reason: str, count: int = 1) -> None:
        self.subscriptions.count_discard(reason, self.now(), count)

    def maintain_subscriptions(self) -> Any:
        """Hourly and at `loket run`: create what is missing, renew before expiry, drop what is unwanted."""
        return self.with_graph(lambda graph: self.subscription_manager(graph).ensure())

    def catch_up(self, since: dt.datetime | None = None) -> Any:
        """Every 15 minutes and `loket catch-up`: delta per mailbox folder, recent call records."""
        from handlers.catch_up import catch_up_all

        return self.with_graph(lambda graph: catch_up_all(self.catch_up_deps(graph), since))

    def with_graph(self, work: Any) -> Any:
        """Run `work(graph)` on a loop of its own, with an adapter of its own (closed afterwards)."""

        async def run() -> Any:
            graph = self.graph_override
            if graph is None:
                from adapters.graph.factory import build_graph_adapter

                graph = build_graph_adapter(self.settings)
            try:
                return await work(graph)
            finally:
                if graph is not self.graph_override:
                    await graph.aclose()

        with _GRAPH_WORK:  # a timer and `loket run` at once must not both create a subscription
            return asyncio.run(run())

    def record_skip(self, skip: Skip) -> bool:
        return crm.record_skip(skip, self.uow(), self.clock.now())

    def record_failure(self, message_id: str, entity: str, reason: str) -> None:
        crm.record_failure(message_id, entity, reason, self.uow(), self.clock.now())

    def close(self) -> None:
        self.bus.close()
        if "store" in self.__dict__:
            self.store.dispose()


def build(
    settings: Settings | None = None, *, clock: Clock | None = None, bus: MessageBus | None = None
) -> Services:
    """Wire the adapters the settings choose; a wrong setting fails here, naming its key."""
    from adapters.bus import open_bus
    from adapters.clock import default_clock

    settings = (settings or Settings()).check()
    clock = clock or default_clock(settings.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return Services(
        settings=settings,
        clock=clock,
        bus=bus or open_bus(settings, clock),
        policy=load_policy(settings.capture_policy_path),
    )


_services: Services | None = None


def get_services() -> Services:
    """The cached services of this process (built on first call)."""
    global _services
    if _services is None:
        _services = build()
    return _services


def set_services(services: Services | None) -> None:
    """Install (or with None, forget) the services: the local host and tests use their own."""
    global _services
    _services = services
