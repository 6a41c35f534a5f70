"""Give freed heap back to the system after the few jobs that briefly need a lot of it."""

from __future__ import annotations

import ctypes


def release_freed_memory() -> None:
    """glibc's malloc_trim: freed memory otherwise stays in the process for reuse, so one large job
    (an OCR'd page at 300 dpi, a catch-up reading hours of call records) raised the host's resident
    memory for good (measured by `python -m bench.soak`). A no-op without glibc."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
