"""Replay jobs in Blob Storage (Azure): a workstation and every function instance see one record."""

from __future__ import annotations

import uuid

from azure.core.exceptions import AzureError, ResourceExistsError, ResourceNotFoundError
from azure.storage.blob import ContainerClient, ContentSettings

from errors import TransientError
from schemas.ops import Job
from settings import Settings

JOBS_CONTAINER = "replay-jobs"
JSON = ContentSettings(content_type="application/json")


class BlobJobStore:
    """`<id>.json` per job in container `replay-jobs`; every save overwrites the whole record."""

    def __init__(self, container: ContainerClient) -> None:
        self._container = container

    @classmethod
    def from_settings(cls, settings: Settings, container: str = JOBS_CONTAINER) -> BlobJobStore:
        """Same connection as the archive (ScanStorage); a connection string creates the container."""
        if settings.scan_storage:
            store = cls(ContainerClient.from_connection_string(settings.scan_storage, container))
            try:
                store._container.create_container()
            except ResourceExistsError:
                pass
            return store
        from azure.identity import DefaultAzureCredential

        return cls(
            ContainerClient(settings.scan_storage_blob_uri, container, credential=DefaultAzureCredential())
        )

    def new_id(self) -> str:
        return uuid.uuid4().hex[:16]

    def save(self, job: Job) -> None:
        try:
            self._container.upload_blob(
                f"{job.id}.json", job.model_dump_json().encode(), overwrite=True, content_settings=JSON
            )
        except AzureError as exc:
            raise TransientError("replay job store unreachable") from exc

    def get(self, job_id: str) -> Job | None:
        if not job_id.isalnum():
            return None
        try:
            return Job.model_validate_json(self._container.download_blob(f"{job_id}.json").readall())
        except ResourceNotFoundError:
            return None
        except AzureError as exc:
            raise TransientError("replay job store unreachable") from exc

    def recent(self, limit: int = 20) -> list[Job]:
        blobs = sorted(self._container.list_blobs(), key=lambda b: b.last_modified, reverse=True)[:limit]
        return [j for b in blobs if (j := self.get(b.name.removesuffix(".json"))) is not None]
