"""Skips for a missing service, named on a newcomer's machine and forbidden in CI.

Some tests need a service a bare machine lacks (PostgreSQL, Tesseract, Azurite, Chromium, the
conformance corpus); they skip with a reason that names it. Without `LOKET_REQUIRE` the run passes
and the summary prints one line per missing service with how many tests it skipped. With
`LOKET_REQUIRE=postgresql,tesseract,…` (set by .ci/run) such a skip becomes a failure, so CI can
never turn a missing service into a green run. Loaded from tests/conftest.py.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest

ENV = "LOKET_REQUIRE"
# A skip reason names its service; these patterns read the reasons the suite gives.
SERVICES: dict[str, re.Pattern[str]] = {
    "postgresql": re.compile(r"postgres|initdb|pg_ctl", re.I),
    "tesseract": re.compile(r"tesseract", re.I),
    "azurite": re.compile(r"azurite", re.I),
    "chromium": re.compile(r"chromium|playwright", re.I),
    "conformance": re.compile(r"conformance", re.I),
    "axe": re.compile(r"axe-core", re.I),
}


def required(value: str | None) -> frozenset[str]:
    """The services named in LOKET_REQUIRE; an unknown name is a usage error, not silently ignored."""
    names = frozenset(n.strip().lower() for n in (value or "").split(",") if n.strip())
    unknown = names - SERVICES.keys()
    if unknown:
        raise pytest.UsageError(
            f"{ENV} names unknown services: {', '.join(sorted(unknown))} (known: {', '.join(SERVICES)})"
        )
    return names


def skip_reason(report: pytest.TestReport) -> str | None:
    """The reason of a skip (not of an expected failure), else None."""
    if not report.skipped or hasattr(report, "wasxfail"):
        return None
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def service_of(reason: str | None) -> str | None:
    if not reason:
        return None
    return next((name for name, pattern in SERVICES.items() if pattern.search(reason)), None)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REQUIRED] = required(os.environ.get(ENV))
    config.stash[_SKIPPED] = Counter()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    reason = skip_reason(report)
    service = service_of(reason)
    if service is None:
        return
    if service in item.config.stash[_REQUIRED]:
        report.outcome = "failed"
        report.longrepr = (
            f"{ENV} includes {service}, but this test was skipped: {reason}. "
            "Install and start the service (.ci/run does), or leave it out of the switch."
        )
    else:
        item.config.stash[_SKIPPED][service] += 1


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    skipped: Counter = config.stash[_SKIPPED]
    if not skipped:
        return
    terminalreporter.section("services not available here (set LOKET_REQUIRE to make these fail)")
    for service, count in sorted(skipped.items()):
        terminalreporter.write_line(f"missing {service}: {count} test{'s' if count != 1 else ''} skipped")


_REQUIRED = pytest.StashKey[frozenset]()
_SKIPPED = pytest.StashKey[Counter]()
