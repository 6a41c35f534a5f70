"""Fixtures every test layer shares: the sample policy and the shared Graph conformance corpus."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from schemas.capture_policy import CapturePolicy, load_policy
from settings import PROJECT_ROOT, SAMPLE_POLICY

CONFORMANCE_DIR = PROJECT_ROOT.parent / "shared" / "conformance" / "graph-docs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def policy() -> CapturePolicy:
    return load_policy(SAMPLE_POLICY)


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    """Microsoft's documented payloads, read where they lie (`../shared/conformance/graph-docs/`)."""
    if not CONFORMANCE_DIR.is_dir():
        pytest.skip(f"the shared conformance corpus is not beside the checkout ({CONFORMANCE_DIR})")
    return CONFORMANCE_DIR


@pytest.fixture
def captured_at() -> dt.datetime:
    return dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
