"""No log line of a whole simulated day names a citizen: no phone number, e-mail address or name.

Every log record of the process (Loket's own and its libraries', DEBUG and up, with its `extra`
fields and traceback) is kept while the host captures a day with every Graph fault, then searched
for each citizen the ground truth and the store know of, in the forms people write them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.text_extraction.tesseract_ocr import tesseract_available
from devhost.sim_driver import DaySpec, TenantControl, simulate_day, tenant_root
from devhost.tenant.faults import KINDS
from drills.privacy import citizen_values, leaks, phone_forms
from tests.e2e.conftest import hosted_loket

STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class Keep(logging.Handler):
    """Every record as the line an operator would read, plus its extra fields and traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        extra = {k: v for k, v in vars(record).items() if k not in STANDARD}
        self.lines.append(f"{self.format(record)} {extra!r}")


@pytest.fixture
def logged_day(tmp_path: Path) -> Iterator[tuple[list[str], list[dict], object]]:
    """A day of 120 contacts with every fault through the host in this process; the log lines kept."""
    keep, root = Keep(), logging.getLogger()
    previous = root.level
    root.addHandler(keep)
    root.setLevel(logging.DEBUG)
    try:
        with hosted_loket(tmp_path, api_key="privacy-key", call_settle_seconds=1,
                          max_concurrent_calls=8) as running:
            services = running.services
            day = DaySpec(120, 0, KINDS, 0.25, seed=10, image_letters=1 if tesseract_available() else 0)
            run_id, report = simulate_day(services, day, 150)
            control = TenantControl(tenant_root(services.settings.graph_base_url))
            truth = control.truth(run_id)
            control.close()
            assert report.clean, report.to_json()["problems"]
            yield keep.lines, truth, services
    finally:
        root.removeHandler(keep)
        root.setLevel(previous)


def test_no_log_line_of_a_day_with_every_fault_names_a_citizen(logged_day):
    lines, truth, services = logged_day
    assert len(lines) > 100, "the day logged almost nothing: the capture is not what this test thinks"
    values = citizen_values(truth, services.store.engine)
    assert any("@" in v for v in values) and any(v.startswith("+32") for v in values)
    found = leaks(lines, values)
    assert found == [], f"{len(found)} log lines name a citizen, e.g. {found[:3]}"


def test_the_leak_check_finds_a_citizen_in_any_usual_form():
    values = {"jan.peeters@example.be", "Jan Peeters", *phone_forms("+32475123456")}
    assert leaks(["INFO x contact from 0475 12 34 56 done"], values)
    assert leaks(["INFO x sender=JAN.PEETERS@example.be"], values)
    assert leaks(["WARNING x Jan  Peeters wrote"], values)
    assert not leaks(["INFO contact 7d1c2a created for party 12"], values)
