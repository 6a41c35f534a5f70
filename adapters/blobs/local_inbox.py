"""ScanBlobs over `<data dir>/post-inbox/`: what the local host's blob trigger watches."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from adapters.blobs.inbox_safety import unsafe_reason
from errors import PermanentError


class LocalInbox:
    """Reads scans by their name inside the container (`burgerzaken/brief.pdf`); never leaves the folder."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def read(self, name: str) -> bytes | None:
        path = self.root / name
        reason = unsafe_reason(self.root, name)
        if reason == "missing":
            return None
        if reason is not None:
            raise PermanentError("scan refused: it is not a plain file inside the post inbox", reason=reason)
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def names(self) -> Iterator[str]:
        """Every plain file below the inbox, as a name inside the container (links are not followed)."""
        for root, dirs, files in os.walk(self.root, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for file in files:
                if not file.startswith("."):
                    yield (Path(root) / file).relative_to(self.root).as_posix()
