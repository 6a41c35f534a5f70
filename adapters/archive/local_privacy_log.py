"""The privacy log as one JSON-lines file beside the event archive (`<data dir>/archive/privacy-log/`).

Append-only: opened in append mode, flushed and fsynced before `append` returns. A torn last line (a
crash mid-write) is skipped when reading, never fatal.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

FILE_NAME = "records.jsonl"


class LocalPrivacyLog:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.path = root / FILE_NAME

    def append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def records(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        return parse_lines(self.path.read_text(encoding="utf-8"))


def parse_lines(text: str) -> list[dict[str, Any]]:
    found = []
    for line in text.splitlines():
        try:
            found.append(json.loads(line))
        except ValueError:
            continue  # a torn write at the end: the operation it belonged to did not complete
    return found
