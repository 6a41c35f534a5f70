"""The fault drills at their reduced size (`python -m drills` runs them in full): each ends with nothing
lost, doubled or wrong, poison dead-lettered with its reason, and no log line naming a citizen."""

from __future__ import annotations

import glob

import pytest

from drills.scenarios import DRILLS, SMALL

NEEDS_POSTGRES_BINARIES = pytest.mark.skipif(
    not glob.glob("/usr/lib/postgresql/*/bin/initdb"),
    reason="no initdb/pg_ctl under /usr/lib/postgresql/*/bin",
)


@pytest.mark.timeout(400)
@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=NEEDS_POSTGRES_BINARIES) if n == "postgres" else n for n in DRILLS]
)
def test_a_drill_ends_with_nothing_lost_doubled_or_wrong(name, tmp_path):
    outcome = DRILLS[name](tmp_path, SMALL)
    assert outcome.generated > 0
    assert (outcome.lost, outcome.duplicated, outcome.wrong, outcome.leaks) == (0, 0, 0, 0), outcome.notes
    assert outcome.clean, (outcome.dead_lettered, outcome.notes)
    if name == "poison":  # a malformed payload in every channel, each dead-lettered with its reason
        entities = {key.split(": ")[0] for key in outcome.dead_lettered}
        assert entities == {"mail-notifications", "call-notifications", "contact-events/crm", "scanned-post"}
        assert all(key.split(": ")[1] for key in outcome.dead_lettered)
