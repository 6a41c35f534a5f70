"""Fixtures every test layer shares: the sample policy and the Graph conformance corpus; and the
LOKET_REQUIRE switch (tests/service_skips.py): a skip for a required service fails the run."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schemas.capture_policy import CapturePolicy, load_policy
from settings import SAMPLE_POLICY
from tests.service_skips import (  # noqa: F401 - hooks: LOKET_REQUIRE and the missing-services summary
    pytest_configure,
    pytest_runtest_makereport,
    pytest_terminal_summary,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CONFORMANCE_DIR = FIXTURES / "graph-docs"  # provenance and licence: graph-docs/SOURCE.md


@pytest.fixture(scope="session")
def policy() -> CapturePolicy:
    return load_policy(SAMPLE_POLICY)


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    """Microsoft's documented payloads (tests/fixtures/graph-docs/, part of the repository)."""
    return CONFORMANCE_DIR


@pytest.fixture
def captured_at() -> dt.datetime:
    return dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
