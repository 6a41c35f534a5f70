"""The page and the CLI name the new outcome `unknown` so staff read why (issue #14, item 3)."""
from __future__ import annotations

from schemas.contact_event import Outcome
from schemas.messages import value


def test_the_page_reads_unknown_as_onbekend_and_never_shows_the_bare_code():
    assert "onbekend" in value("outcome", Outcome.UNKNOWN.value, "nl")
    assert value("outcome", Outcome.UNKNOWN.value, "en") != "unknown"
    assert value("outcome", Outcome.UNKNOWN.value, "nl") != value("outcome", Outcome.UNIDENTIFIED.value, "nl")
