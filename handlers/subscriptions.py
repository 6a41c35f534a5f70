"""The subscription manager: the Graph subscriptions the policy calls for, kept alive and in step.

One subscription per captured mailbox (`users/{id}/messages`: the whole mailbox, the folder decides
at capture) and one for callRecords. clientState = HMAC(GRAPH_CLIENT_STATE_KEY, a nonce stored with
the subscription), so nothing secret is written anywhere at run time.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from errors import LoketError, PermanentError
from handlers.client_state import client_state_for, new_nonce
from handlers.ports.graph import GraphPort
from handlers.subscription_plan import Wanted, wanted_subscriptions
from schemas.capture_policy import CapturePolicy
from schemas.graph_base import parse_graph_datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubscriptionEntry:
    id: str
    resource: str
    nonce: str
    expires_at: dt.datetime


class SubscriptionRegistry(Protocol):
    """Where Loket remembers its subscriptions (adapters/store/subscriptions.py)."""

    def get(self, subscription_id: str) -> SubscriptionEntry | None: ...
    def save(self, entry: SubscriptionEntry, now: dt.datetime) -> None: ...
    def remove(self, subscription_id: str) -> None: ...
    def all(self) -> list[SubscriptionEntry]: ...
    def sync_get(self, key: str) -> str | None: ...
    def sync_put(self, key: str, value: str | None, now: dt.datetime) -> None: ...


@dataclass(frozen=True)
class SubscriptionConfig:
    """Where Graph delivers, the clientState key, and the options of the plan (subscription_plan.py)."""

    notification_url: str
    lifecycle_url: str
    client_state_key: str
    calls_tenant_wide: bool = False
    certificate: str | None = None  # base64 DER X.509 (public only): rich mail notifications
    certificate_id: str | None = None


@dataclass
class EnsureReport:
    created: list[str] = field(default_factory=list)
    renewed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class SubscriptionManager:
    """Reconcile Graph, the registry and the policy. Every method is idempotent: run it as often as needed."""

    def __init__(self, graph: GraphPort, registry: SubscriptionRegistry, policy: CapturePolicy,
                 config: SubscriptionConfig, now: Callable[[], dt.datetime]) -> None:
        self.graph, self.registry, self.policy, self.config, self.now = graph, registry, policy, config, now

    def wanted(self) -> list[Wanted]:
        rich = self.config.certificate is not None
        return wanted_subscriptions(self.policy, self.config.calls_tenant_wide, rich)

    async def ensure(self) -> EnsureReport:
        """Create what is missing, renew what expires soon, remove what the policy no longer names."""
        report = EnsureReport()
        live = {s["id"]: s for s in await self.graph.list_subscriptions()}
        wanted = {w.resource: w for w in self.wanted()}
        for entry in self.registry.all():
            if entry.resource not in wanted:
                await self._remove(entry.id)
                live.pop(entry.id, None)
                report.removed.append(entry.id)
            elif entry.id not in live:  # expired unrenewed or removed by Graph: forget it, create anew
                self.registry.remove(entry.id)
                log.warning("subscription gone at Graph; recreating", extra={"subscription_id": entry.id})
        await self._delete_orphans(live, report)
        mine = {e.resource: e for e in self.registry.all()}
        for resource, want in wanted.items():
            try:
                await self._ensure_one(want, mine.get(resource), report)
            except PermanentError as exc:
                if exc.reason == "graph_conflict":  # another instance created it meanwhile: theirs stands
                    log.info("a %s subscription was created concurrently", want.kind)
                    continue
                self._failed(want, exc.reason, report)
            except LoketError as exc:  # throttled, or this mailbox is outside the app's scope: others go on
                self._failed(want, type(exc).__name__, report)
        return report

    @staticmethod
    def _failed(want: Wanted, reason: str, report: EnsureReport) -> None:
        """One resource refused (scope, quota, throttling): logged and reported; the next run retries."""
        log.error("subscription for a %s resource failed: %s", want.kind, reason, extra={"reason": reason})
        report.failed.append(want.mailbox or want.kind)

    async def _ensure_one(self, want: Wanted, entry: SubscriptionEntry | None, report: EnsureReport) -> None:
        if entry is None:
            report.created.append((await self.create(want)).id)
        elif entry.expires_at - self.now() < want.renew_within:
            renewed = await self.renew(entry, want)
            (report.renewed if renewed.id == entry.id else report.created).append(renewed.id)
        else:
            report.kept.append(entry.id)

    async def _delete_orphans(self, live: dict[str, dict], report: EnsureReport) -> None:
        """Subscriptions to our URL Loket does not know (a crash between create and save): their
        clientState cannot be checked, and they block a new one for the same resource (409)."""
        known = {e.id for e in self.registry.all()}
        for sub_id, sub in live.items():
            if sub_id not in known and sub.get("notificationUrl") == self.config.notification_url:
                await self.graph.delete_subscription(sub_id)
                report.removed.append(sub_id)

    async def create(self, want: Wanted) -> SubscriptionEntry:
        nonce = new_nonce()
        body = want.body(self.now(), self.config, client_state_for(self.config.client_state_key, nonce))
        created = await self.graph.create_subscription(body)
        entry = SubscriptionEntry(created["id"], want.resource, nonce, _expiry(created, body))
        self.registry.save(entry, self.now())
        log.info("created a %s subscription", want.kind, extra={"subscription_id": entry.id})
        return entry

    async def renew(self, entry: SubscriptionEntry, want: Wanted) -> SubscriptionEntry:
        """PATCH a new expiry (which reauthorizes too); a subscription Graph no longer has is recreated."""
        try:
            answer = await self.graph.renew_subscription(entry.id, self.now() + want.lifetime)
        except PermanentError as exc:
            if exc.reason != "graph_not_found":
                raise
            self.registry.remove(entry.id)
            return await self.create(want)
        renewed = SubscriptionEntry(entry.id, entry.resource, entry.nonce,
                                    _expiry(answer, {"expirationDateTime": self.now() + want.lifetime}))
        self.registry.save(renewed, self.now())
        log.info("renewed a %s subscription", want.kind, extra={"subscription_id": entry.id})
        return renewed

    async def recreate(self, subscription_id: str) -> SubscriptionEntry | None:
        """After `subscriptionRemoved`: a new subscription for the same resource (when still wanted).

        The old id is remembered as replaced, so the catch-up that follows knows its resource.
        """
        entry = self.registry.get(subscription_id)
        if entry is None:
            await self.ensure()
            return None
        self.registry.sync_put(f"replaced:{subscription_id}", entry.resource, self.now())
        self.registry.remove(subscription_id)
        await self.graph.delete_subscription(subscription_id)  # False when already gone: fine
        want = next((w for w in self.wanted() if w.resource == entry.resource), None)
        return await self.create(want) if want else None

    async def delete_all(self) -> list[str]:
        """`loket subscriptions delete`: every subscription Loket made, at Graph and in the registry."""
        gone = []
        for entry in self.registry.all():
            await self._remove(entry.id)
            gone.append(entry.id)
        return gone

    async def _remove(self, subscription_id: str) -> None:
        await self.graph.delete_subscription(subscription_id)
        self.registry.remove(subscription_id)
        log.info("removed a subscription", extra={"subscription_id": subscription_id})

    def resource_of(self, subscription_id: str) -> str | None:
        """The resource of a subscription, also one just replaced by `recreate`."""
        entry = self.registry.get(subscription_id)
        return entry.resource if entry else self.registry.sync_get(f"replaced:{subscription_id}")


def _expiry(answer: dict, asked: dict) -> dt.datetime:
    """Graph's expirationDateTime (it may raise a short one to 45 min), else what was asked."""
    value = answer.get("expirationDateTime") or asked["expirationDateTime"]
    parsed = parse_graph_datetime(value) if isinstance(value, str) else value
    return parsed.astimezone(dt.UTC)
