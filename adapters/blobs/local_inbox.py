"""ScanBlobs over `<data dir>/post-inbox/`: what the local host's blob trigger watches."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from errors import PermanentError


class LocalInbox:
    """Reads scans by their name inside the container (`burgerzaken/brief.pdf`)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, name: str) -> Path:
        path = (self.root / name).resolve()
        if self.root not in path.parents:
            raise PermanentError("scan name leaves the post inbox", reason="bad_blob_name")
        return path

    def read(self, name: str) -> bytes | None:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            return None

    def arrived(self, name: str) -> dt.datetime | None:
        """The file's modification time: when the scanner (or a copy keeping times) wrote it."""
        try:
            return dt.datetime.fromtimestamp(self._path(name).stat().st_mtime, dt.UTC)
        except FileNotFoundError:
            return None
