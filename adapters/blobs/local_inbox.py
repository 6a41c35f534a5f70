"""ScanBlobs over `<data dir>/post-inbox/`: what the local host's blob trigger watches."""
from __future__ import annotations

from pathlib import Path

from errors import PermanentError


class LocalInbox:
    """Reads scans by their name inside the container (`burgerzaken/brief.pdf`)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def read(self, name: str) -> bytes | None:
        path = (self.root / name).resolve()
        if self.root not in path.parents:
            raise PermanentError("scan name leaves the post inbox", reason="bad_blob_name")
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None
