"""Where blob-triggered files come from locally: the post-inbox folder, or a container (Azurite, Storage)."""
from __future__ import annotations

import fnmatch
import os
import stat
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
    """`<data dir>/post-inbox/` stands in for the container: a file's path below it is the blob name.

    The inbox stays in its folder (issue 15): links are never followed (a linked folder is listed as
    one entry, not entered), and what is not a plain file (a link, a device, a pipe) is listed but
    read as empty bytes without opening it, so the function is triggered and refuses it with its
    reason (the app's LocalInbox) instead of the host reading through a link or blocking on a pipe.
    """

    def __init__(self, folder: Path, container: str) -> None:
        self.folder, self.container = Path(folder), container
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)

    def list(self) -> Iterator[BlobEntry]:
        for root, dirs, files in os.walk(self.folder, followlinks=False):
            linked = [d for d in dirs if (Path(root) / d).is_symlink()]
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in linked]
            for file in [*files, *linked]:
                path = Path(root) / file
                name = path.relative_to(self.folder).as_posix()
                if ignored(name):
                    continue
                try:
                    info = path.lstat()
                except FileNotFoundError:  # renamed or removed between walk and stat
                    continue
                yield BlobEntry(name, f"{info.st_size}-{info.st_mtime_ns}", info.st_size)

    def read(self, name: str) -> tuple[bytes, dict[str, Any]]:
        path = self.folder / name
        info = path.lstat()
        data = b""
        if stat.S_ISREG(info.st_mode):  # never through a link, never a device or a pipe
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as file:
                data = file.read()
        return data, {"Length": len(data), "ETag": f"{info.st_size}-{info.st_mtime_ns}",
                      "LastModified": info.st_mtime, "ContentType": _content_type(name)}

    def uri(self, name: str) -> str:
        return (self.folder / name).absolute().as_uri()


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
