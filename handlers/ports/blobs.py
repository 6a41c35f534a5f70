"""Port: the scanned-post container (the post inbox folder locally, Blob Storage in Azure)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Protocol


class ScanBlobs(Protocol):
    """Reads a scan's companion blob (the PDF of a sidecar, or the sidecar of a PDF).

    `read(name)` takes the name inside the container (`burgerzaken/brief-1.pdf`) and returns its
    bytes, or None when there is no such blob (yet). Raises TransientError when storage is unreachable.
    """

    def read(self, name: str) -> bytes | None: ...

    def names(self) -> Iterator[str]:
        """Every blob name in the container (for `loket replay letters`)."""

    def arrived(self, name: str) -> dt.datetime | None:
        """When the scan landed in storage (the blob's creation time, the file's modification time),
        or None when unknown: a letter is dated when it arrived, not when Loket processed it."""
        ...

    def delete(self, name: str) -> bool:
        """Remove the blob (erasure); False when there was none."""
