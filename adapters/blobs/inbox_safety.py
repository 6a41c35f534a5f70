"""The post inbox stays in its folder (issue 15): what a name or a file must not be before it is read.

Symbolic links (to files or folders), device files, pipes and sockets, names with control
characters or newlines and names that climb out of the folder are refused with a reason code; the
name itself is never logged (it often carries a citizen's name).
"""
from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path, PurePosixPath

UNSAFE_NAME = "unsafe_name"
SYMLINK = "symlink"
NOT_A_FILE = "not_a_file"


def unsafe_reason(root: Path, name: str) -> str | None:
    """None for a plain file inside `root`; `missing` when there is none; else the refusal's reason."""
    if _bad_name(name):
        return UNSAFE_NAME
    path = root
    for part in PurePosixPath(name).parts:
        path = path / part
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return "missing"
        except OSError:
            return NOT_A_FILE
        if stat.S_ISLNK(info.st_mode):
            return SYMLINK
    if not stat.S_ISREG(info.st_mode):
        return NOT_A_FILE
    return None


def _bad_name(name: str) -> bool:
    """Empty, absolute, `..`, backslashes, or any control character (newline, NUL, escape codes)."""
    if not name or name.startswith("/") or "\\" in name:
        return True
    parts = PurePosixPath(name).parts
    if any(part in ("..", ".") for part in parts):
        return True
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)
