"""ScanBlobs over `<data dir>/post-inbox/`: what the local host's blob trigger watches."""
from __future__ import annotations

import datetime as dt
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

    def _path(self, name: str) -> Path | None:
        """The plain file `name` inside the inbox, None when there is none; refused (PermanentError with
        the reason) when the name or any part of the path is a link, a device or escapes the folder."""
        reason = unsafe_reason(self.root, name)
        if reason == "missing":
            return None
        if reason is not None:
            raise PermanentError("scan refused: it is not a plain file inside the post inbox", reason=reason)
        return self.root / name

    def refusal(self, name: str) -> str | None:
        """Why `name` may not be read (`symlink`, `not_a_file`, `unsafe_name`), None when it may."""
        reason = unsafe_reason(self.root, name)
        return None if reason == "missing" else reason

    def read(self, name: str) -> bytes | None:
        path = self._path(name)
        try:
            return path.read_bytes() if path is not None else None
        except FileNotFoundError:
            return None

    def arrived(self, name: str) -> dt.datetime | None:
        """The file's modification time: when the scanner (or a copy keeping times) wrote it."""
        path = self._path(name)
        try:
            return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC) if path is not None else None
        except FileNotFoundError:
            return None

    def delete(self, name: str) -> bool:
        """Remove the file (erasure); a link is removed itself, never what it points to."""
        if unsafe_reason(self.root, name) in ("missing", "unsafe_name"):
            return False
        try:
            (self.root / name).unlink()
        except FileNotFoundError:
            return False
        return True

    def names(self) -> Iterator[str]:
        """Every plain file below the inbox, as a name inside the container (links are not followed)."""
        for root, dirs, files in os.walk(self.root, followlinks=False):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for file in files:
                if not file.startswith("."):
                    yield (Path(root) / file).relative_to(self.root).as_posix()
