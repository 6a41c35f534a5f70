"""Secrets generated once into the data dir for local mode (in Azure they come from Key Vault settings)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def local_secret(data_dir: Path, name: str) -> str:
    """Read `<data dir>/<name>`, creating it (mode 0600) with a random value the first time."""
    path = data_dir / name
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its value
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value
