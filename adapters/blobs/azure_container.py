"""ScanBlobs over an Azure Blob Storage container (Azurite locally), identity or connection string."""

from __future__ import annotations

import datetime as dt

from azure.core.exceptions import AzureError, ResourceNotFoundError
from azure.storage.blob import ContainerClient

from errors import TransientError
from settings import Settings

SCAN_CONTAINER = "scanned-post"


class AzureScanBlobs:
    def __init__(self, container: ContainerClient) -> None:
        self._container = container

    @classmethod
    def from_settings(cls, settings: Settings, container: str = SCAN_CONTAINER) -> AzureScanBlobs:
        """`ScanStorage` as a connection string, or `ScanStorage__blobServiceUri` with managed identity."""
        if settings.scan_storage:
            return cls(ContainerClient.from_connection_string(settings.scan_storage, container))
        from azure.identity import DefaultAzureCredential

        return cls(
            ContainerClient(settings.scan_storage_blob_uri, container, credential=DefaultAzureCredential())
        )

    def names(self):
        """Every blob name in the container (`loket replay letters` finds failed letters by hash)."""
        try:
            for blob in self._container.list_blobs():
                yield blob.name
        except AzureError as exc:
            raise TransientError("scan storage unreachable") from exc

    def delete(self, name: str) -> bool:
        """Delete the blob and its snapshots (erasure); False when there was none."""
        try:
            self._container.delete_blob(name, delete_snapshots="include")
        except ResourceNotFoundError:
            return False
        except AzureError as exc:
            raise TransientError("scan storage unreachable") from exc
        return True

    def read(self, name: str) -> bytes | None:
        try:
            return self._container.download_blob(name).readall()
        except ResourceNotFoundError:
            return None
        except AzureError as exc:
            raise TransientError("scan storage unreachable") from exc

    def arrived(self, name: str) -> dt.datetime | None:
        """The blob's creation time (kept when a later upload overwrites it)."""
        try:
            created = self._container.get_blob_client(name).get_blob_properties().creation_time
        except ResourceNotFoundError:
            return None
        except AzureError as exc:
            raise TransientError("scan storage unreachable") from exc
        return created.astimezone(dt.UTC) if created else None
