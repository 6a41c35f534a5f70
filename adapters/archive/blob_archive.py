"""The event archive in Blob Storage (Azure; Azurite in tests): `<event id>/v<version>.json` per object."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from azure.core import MatchConditions
from azure.core.exceptions import (
    AzureError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.storage.blob import ContainerClient, ContentSettings

from adapters.archive.local_archive import _merge
from errors import TransientError
from schemas.contact_event import ContactEvent
from settings import Settings

ARCHIVE_CONTAINER = "event-archive"
PUT_ATTEMPTS = 5  # two mailboxes' copies of one e-mail may race on the same object
JSON = ContentSettings(content_type="application/json")


class BlobArchive:
    """Same behaviour as LocalArchive: archiving twice changes nothing, an equal version merges."""

    def __init__(self, container: ContainerClient) -> None:
        self._container = container

    @classmethod
    def from_settings(cls, settings: Settings, container: str = ARCHIVE_CONTAINER) -> BlobArchive:
        """`ScanStorage` as a connection string, or `ScanStorage__blobServiceUri` with managed identity
        (the container is Bicep's then)."""
        if settings.scan_storage:  # a connection string: Azurite or a developer's account, create if missing
            archive = cls(ContainerClient.from_connection_string(settings.scan_storage, container))
            archive.ensure_container()
            return archive
        from azure.identity import DefaultAzureCredential

        client = ContainerClient(
            settings.scan_storage_blob_uri, container, credential=DefaultAzureCredential()
        )
        return cls(client)

    def ensure_container(self) -> None:
        """Create the container if missing (Azurite and first runs; Bicep creates it in Azure)."""
        try:
            self._container.create_container()
        except ResourceExistsError:
            pass

    def put(self, event: ContactEvent) -> bool:
        name = f"{event.event_id}/v{event.source.version}.json"
        blob = self._container.get_blob_client(name)
        try:
            for _ in range(PUT_ATTEMPTS):
                stored, etag = _download(blob)
                merged = _merge(stored, event)
                if merged == stored:
                    return False
                conditions = (
                    {"etag": etag, "match_condition": MatchConditions.IfNotModified}
                    if etag
                    else {"overwrite": False}
                )
                try:
                    blob.upload_blob(merged.to_json().encode(), content_settings=JSON, **conditions)
                    return True
                except (ResourceModifiedError, ResourceExistsError):
                    continue  # someone wrote it meanwhile: merge with theirs
        except AzureError as exc:
            raise TransientError("event archive unreachable") from exc
        raise TransientError("event archive object kept changing; retry later")

    def events(self) -> list[ContactEvent]:
        try:
            found = [
                ContactEvent.from_json(self._container.download_blob(b.name).readall())
                for b in self._container.list_blobs()
                if b.name.endswith(".json")
            ]
        except AzureError as exc:
            raise TransientError("event archive unreachable") from exc
        return sorted(found, key=lambda e: (e.occurred_at, e.source.version))

    def delete(self, event_ids: Iterable[UUID]) -> int:
        gone = 0
        try:
            for event_id in event_ids:
                for b in self._container.list_blobs(name_starts_with=f"{event_id}/"):
                    try:
                        self._container.delete_blob(b.name)
                        gone += 1
                    except ResourceNotFoundError:
                        pass
        except AzureError as exc:
            raise TransientError("event archive unreachable") from exc
        return gone


def _download(blob) -> tuple[ContactEvent | None, str | None]:
    try:
        downloader = blob.download_blob()
    except ResourceNotFoundError:
        return None, None
    return ContactEvent.from_json(downloader.readall()), downloader.properties.etag
