"""The data dir holds citizens' data (store, bus, archive, tenant) and keys: only its owner reads it.

Files Loket creates there are 0600 and folders 0700 (a umask of 077 for the process); a data dir
made earlier, or copied in, and readable by others is named at `loket run` so the operator fixes it.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077


def make_private(data_dir: Path) -> None:
    """Everything this process creates from now on is its owner's alone; the data dir too."""
    os.umask(PRIVATE_UMASK)
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)


def exposed(data_dir: Path, limit: int = 1000) -> list[Path]:
    """Paths in the data dir (itself included) that others may read, write or enter; links skipped."""
    found: list[Path] = []
    paths = [data_dir]
    for root, dirs, files in os.walk(data_dir, followlinks=False):
        paths += [Path(root) / name for name in (*dirs, *files)]
        if len(paths) > limit:
            break
    for path in paths[:limit]:
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISLNK(info.st_mode) and info.st_mode & 0o077:
            found.append(path)
    return found
