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
from handlers.capture_letter import LetterCapture
from handlers.ports.blobs import ScanBlobs
from handlers.ports.bus import MessageBus
from handlers.ports.clock import Clock
from handlers.ports.graph import FolderResolver, GraphPort
from handlers.ports.text_extraction import TextExtractor
from handlers.skips import Skip
from schemas.capture_policy import CapturePolicy, load_policy
from settings import Settings
from wiring.graph import GraphWiring
from wiring.ops import OpsWiring
from wiring.privacy import PrivacyWiring

log = logging.getLogger(__name__)
_GRAPH_WORK = threading.RLock()


@dataclass
class Services(GraphWiring, OpsWiring, PrivacyWiring):
    """Everything the functions need, built from settings; adapters are created when first used."""

    settings: Settings
    clock: Clock
    bus: MessageBus
    policy: CapturePolicy
    graph_override: GraphPort | None = None  # tests: a fake Graph instead of the adapter
    _graphs: dict[int, tuple[asyncio.AbstractEventLoop, GraphPort, FolderResolver]] = field(
        default_factory=dict
    )

    @cached_property
    def store(self) -> Any:
        from adapters.store.entra import token_provider_for
        from adapters.store.uow import SqlStore

        url = self.settings.database_url
        return SqlStore.from_url(
            url, token_provider=token_provider_for(url),
            pool_size=self.settings.crm_pool_size, max_overflow=self.settings.crm_max_overflow,
        )

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
        """Text layer first; then Document Intelligence when its endpoint is set, else Tesseract;
        always in a child process within the settings' time budget (issue 15)."""
        from functools import partial

        from adapters.text_extraction.child_process import ChildProcessExtractor
        from adapters.text_extraction.composite import azure_extractor, local_extractor

        match self.settings.document_intelligence_endpoint:
            case None | "":
                factory = local_extractor
            case endpoint:
                factory = partial(azure_extractor, endpoint)
        return ChildProcessExtractor(factory, budget_seconds=self.settings.letter_extraction_seconds,
                                     max_chars=self.settings.letter_text_max_chars)

    @cached_property
    def archive(self) -> Any:
        """The event archive: Blob Storage when ScanStorage is set (Azure, Azurite), else the data dir."""
        if self.settings.scan_storage or self.settings.scan_storage_blob_uri:
            from adapters.archive.blob_archive import BlobArchive

            return BlobArchive.from_settings(self.settings)
        from adapters.archive.local_archive import LocalArchive

        return LocalArchive(self.settings.data_dir / "archive")

    def now(self) -> dt.datetime:
        return self.clock.now()

    @cached_property
    def api_key(self) -> str:
        """LOKET_API_KEY, else a key generated once into the data dir (the local stand-in for sign-in)."""
        from adapters.local_secrets import local_secret

        return self.settings.api_key or local_secret(self.settings.data_dir, "api.key")

    def letter_capture(self) -> LetterCapture:
        return LetterCapture(
            blobs=self.blobs,
            extractor=self.text_extractor,
            policy=self.policy,
            bus=self.bus,
            topic=self.settings.contact_events_topic,
            now=self.now,
            suppressed=self.suppressed_keys,
            record_skip=self.record_skip,
            failures=self.failure_log,
            max_pdf_bytes=self.settings.letter_pdf_max_bytes,
            max_chars=self.settings.letter_text_max_chars,
        )

    def health(self) -> dict[str, str]:
        from adapters.health_checks import check_bus, check_graph, check_letters, check_store

        return {
            "bus": check_bus(self.bus),
            "store": check_store(self.store),
            "graph": check_graph(self.settings.graph_base_url),
            "letters": check_letters(self.failure_log),
        }

    # --- Graph subscriptions, catch-up, rich notifications (issue 7) ---
    def record_skip(self, skip: Skip) -> bool:
        return crm.record_skip(skip, self.uow(), self.clock.now())

    def record_failure(self, message_id: str, entity: str, reason: str) -> None:
        crm.record_failure(message_id, entity, reason, self.uow(), self.clock.now())

    def close(self) -> None:
        if "text_extractor" in self.__dict__:
            getattr(self.text_extractor, "close", lambda: None)()
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
    from adapters.data_dir import make_private

    make_private(settings.data_dir)  # store, bus, archive, keys: 0600 files, 0700 folders (issue 15)
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


class StoreNotPostgres(RuntimeError):
    """The schema upgrade through the app is for PostgreSQL in Azure; locally `loket db upgrade` does it."""


def upgrade_store_as_admin(admin: str, role: str, object_id: str, token: str,
                           settings: Settings | None = None) -> str | None:
    """POST /api/ops/db/upgrade: the app's own PostgreSQL (CRM_DATABASE_URL's host and database), signed
    in as the admin group with the caller's token (adapters/store/provision.py). Needs no Services: the
    app's own database role may not exist yet."""
    from adapters.store import provision

    settings = settings or Settings()
    if settings.store_backend != "postgresql":
        raise StoreNotPostgres("the store is not PostgreSQL: run `loket db upgrade` where it lives")
    host, database = provision.server_of(settings.database_url)
    return provision.upgrade_as_admin(host, admin, role, object_id, database, lambda: token)
