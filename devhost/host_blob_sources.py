"""Where blob-triggered files come from locally: the post-inbox folder, or a container (Azurite, Storage)."""
from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

IGNORED = ("*.tmp", "*.part", "*.partial", "*.crdownload", "*.swp", "*~", ".*", "~$*")
"""Names still being written (write, then rename) or hidden: never triggered."""


def ignored(relative_name: str) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in relative_name.split("/") for pattern in IGNORED)


@dataclass(frozen=True)
class BlobEntry:
    """One blob as listed: its name inside the container and a version tag (ETag, or size+mtime)."""

    name: str
    etag: str
    size: int


class BlobSource(Protocol):
    container: str

    def list(self) -> Iterator[BlobEntry]: ...

    def read(self, name: str) -> tuple[bytes, dict[str, Any]]:
        """The bytes and the blob properties (ContentType, Length, ETag, LastModified)."""

    def uri(self, name: str) -> str: ...


class InboxSource:
    """`<data dir>/post-inbox/` stands in for the container: a file's path below it is the blob name."""

    def __init__(self, folder: Path, container: str) -> None:
        self.folder, self.container = Path(folder), container
        self.folder.mkdir(parents=True, exist_ok=True)

    def list(self) -> Iterator[BlobEntry]:
        for root, dirs, files in os.walk(self.folder):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for file in files:
                path = Path(root) / file
                name = path.relative_to(self.folder).as_posix()
                if ignored(name):
                    continue
                try:
                    stat = path.stat()
                except FileNotFoundError:  # renamed or removed between walk and stat
                    continue
                yield BlobEntry(name, f"{stat.st_size}-{stat.st_mtime_ns}", stat.st_size)

    def read(self, name: str) -> tuple[bytes, dict[str, Any]]:
        path = self.folder / name
        data = path.read_bytes()
        stat = path.stat()
        return data, {"Length": len(data), "ETag": f"{stat.st_size}-{stat.st_mtime_ns}",
                      "LastModified": stat.st_mtime, "ContentType": _content_type(name)}

    def uri(self, name: str) -> str:
        return (self.folder / name).resolve().as_uri()


class ContainerSource:
    """A real container through azure-storage-blob (Azurite with `UseDevelopmentStorage=true`)."""

    def __init__(self, connection: str, container: str, credential: Any = None) -> None:
        from azure.storage.blob import BlobServiceClient

        self.container = container
        if "=" in connection:  # a connection string
            service = BlobServiceClient.from_connection_string(connection)
        else:  # `<name>__blobServiceUri`: identity-based
            service = BlobServiceClient(connection, credential=credential)
        self._client = service.get_container_client(container)

    def list(self) -> Iterator[BlobEntry]:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            for blob in self._client.list_blobs():
                if not ignored(blob.name):
                    yield BlobEntry(blob.name, str(blob.etag), int(blob.size or 0))
        except ResourceNotFoundError:  # the container does not exist yet: nothing to trigger
            return

    def read(self, name: str) -> tuple[bytes, dict[str, Any]]:
        downloader = self._client.download_blob(name)
        data = downloader.readall()
        props = downloader.properties
        return data, {"Length": len(data), "ETag": str(props.etag),
                      "LastModified": props.last_modified.isoformat() if props.last_modified else None,
                      "ContentType": props.content_settings.content_type}

    def uri(self, name: str) -> str:
        return f"{self._client.url}/{name}"


def _content_type(name: str) -> str:
    lowered = name.lower()
    if lowered.endswith(".pdf"):
        return "application/pdf"
    if lowered.endswith(".json"):
        return "application/json"
    return "application/octet-stream"
