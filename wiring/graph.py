"""Wiring for Microsoft Graph: the per-loop adapter, webhook, capture, lifecycle, subscriptions, catch-up."""
from __future__ import annotations

import asyncio
import datetime as dt
import threading
from functools import cached_property
from typing import Any

from handlers.capture_call import CallCapture
from handlers.capture_mail import MailCapture
from handlers.lifecycle import LifecycleDeps
from handlers.notifications import QueueNames
from handlers.ports.graph import FolderResolver, GraphPort
from handlers.webhook import WebhookDeps

_GRAPH_WORK = threading.RLock()


class GraphWiring:
    """Mixed into bootstrap.Services (which supplies settings, bus, store, policy, now, record_skip, …)."""

    def graph(self) -> tuple[GraphPort, FolderResolver]:
        """The Graph adapter of the running event loop (msgraph-sdk clients belong to one loop).

        Entries of loops that have closed are dropped: an id can be reused by a new loop, and an
        adapter bound to a closed loop cannot be used again.
        """
        loop = asyncio.get_running_loop()
        for key in [k for k, (old, *_) in self._graphs.items() if old.is_closed()]:
            del self._graphs[key]
        entry = self._graphs.get(id(loop))
        if entry is None or entry[0] is not loop:
            from adapters.graph.factory import build_graph_adapter

            adapter = self.graph_override or build_graph_adapter(self.settings)
            entry = self._graphs[id(loop)] = (loop, adapter, FolderResolver(adapter))
        return entry[1], entry[2]

    @cached_property
    def subscriptions(self) -> Any:
        from adapters.store.subscriptions import SqlSubscriptionRegistry

        return SqlSubscriptionRegistry(self.store)

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
            suppressed=self.suppressed_keys,
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
            suppressed=self.suppressed_keys,
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
    def rich_certificates(self) -> Any:
        """The rich-notification certificate(s), or None (basic notifications) when none is configured.

        A PEM file locally (GRAPH_RICH_CERTIFICATE_PATH); in Azure the Key Vault certificate
        GRAPH_RICH_CERTIFICATE_NAME, every enabled version's key kept across a rotation.
        """
        s = self.settings
        if not s.graph_client_id:
            return None
        from adapters.graph.jwks_certificate import RichCertificates, load_rich_certificate

        if s.graph_rich_certificate_path is not None:
            cert = load_rich_certificate(s.graph_rich_certificate_path, s.graph_rich_certificate_id)
            return RichCertificates(cert, {cert.certificate_id: cert.private_key})
        if s.graph_rich_certificate_name and s.key_vault_uri:
            from azure.identity import DefaultAzureCredential
            from azure.keyvault.secrets import SecretClient

            from adapters.graph.jwks_certificate import load_rich_certificates_from_vault

            with DefaultAzureCredential() as credential, SecretClient(s.key_vault_uri, credential) as vault:
                return load_rich_certificates_from_vault(
                    vault, s.graph_rich_certificate_name, s.graph_rich_certificate_id, self.now()
                )
        return None

    @property
    def rich_certificate(self) -> Any:
        """The certificate Graph is given on subscription create, or None."""
        return self.rich_certificates.current if self.rich_certificates else None

    @cached_property
    def rich_verifier(self) -> Any:
        if self.rich_certificate is None:
            return None
        from adapters.graph.jwks import JwksKeys
        from handlers.rich_notifications import RichVerifier

        return RichVerifier(
            keys=JwksKeys(self.settings.graph_jwks_url),
            tenant_id=self.settings.graph_tenant_id or self.policy.tenant.id,
            app_id=self.settings.graph_client_id,
            private_keys=dict(self.rich_certificates.private_keys),
            now=self.now,
        )

    def count_discard(self, reason: str, count: int = 1) -> None:
        self.subscriptions.count_discard(reason, self.now(), count)

    def maintain_subscriptions(self) -> Any:
        """Hourly and at `loket run`: create what is missing, renew before expiry, drop what is unwanted."""
        return self.with_graph(lambda graph: self.subscription_manager(graph).ensure())

    def catch_up(self, since: dt.datetime | None = None) -> Any:
        """Every 15 minutes and `loket catch-up`: delta per mailbox folder, recent call records."""
        from adapters.memory import release_freed_memory
        from handlers.catch_up import catch_up_all

        try:
            return self.with_graph(lambda graph: catch_up_all(self.catch_up_deps(graph), since))
        finally:
            release_freed_memory()  # hours of call records read at once: give that memory back

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
