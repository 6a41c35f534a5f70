"""Letter readers for drills: built by module-level factories, as the reader's child process needs."""
from __future__ import annotations

import re

from handlers.ports.text_extraction import ExtractedText

_CATASTROPHIC = re.compile(r"(a+)+$")


class StuckInC:
    """Hangs inside _sre on every PDF (2**64 steps) without ever releasing the interpreter: only
    killing its process stops it. What a hostile PDF does to a reader with a quadratic pattern."""

    def extract(self, pdf: bytes) -> ExtractedText:
        _CATASTROPHIC.match("a" * 64 + "b")
        raise AssertionError("unreachable")


def stuck_in_c() -> StuckInC:
    return StuckInC()
