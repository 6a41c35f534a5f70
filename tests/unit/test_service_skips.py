"""LOKET_REQUIRE: a skip for a required service fails the run; without it the run passes and names
each missing service with how many tests it skipped. Run as a real pytest session on a small project."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.service_skips import required, service_of

REPO = Path(__file__).resolve().parents[2]
PROJECT = """
import pytest

def test_needs_postgres():
    pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (OperationalError)")

@pytest.mark.skipif(True, reason="Tesseract is not installed (make ocr)")
def test_needs_ocr_once():
    pass

@pytest.mark.skipif(True, reason="Tesseract is not installed (make ocr)")
def test_needs_ocr_twice():
    pass

def test_needs_a_real_namespace():
    pytest.skip("set SERVICEBUS_TEST_CONNECTION to run against Azure Service Bus")

@pytest.mark.xfail(reason="postgres quirk, expected")
def test_an_expected_failure_is_no_skip():
    assert False

def test_plain():
    assert True
"""


def run(tmp_path: Path, require: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(PROJECT), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "LOKET_REQUIRE"}
    env["PYTHONPATH"] = str(REPO)
    if require is not None:
        env["LOKET_REQUIRE"] = require
    return subprocess.run(  # noqa: S603 - our own interpreter / console script
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.service_skips",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(tmp_path),
            "-q",
            str(tmp_path),
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_the_switch_the_run_passes_and_names_each_missing_service_with_its_count(tmp_path) -> None:
    result = run(tmp_path, None)
    assert result.returncode == 0, result.stdout
    assert "missing postgresql: 1 test skipped" in result.stdout
    assert "missing tesseract: 2 tests skipped" in result.stdout
    assert "missing servicebus" not in result.stdout  # not a service the switch knows


def test_with_the_switch_a_skip_for_a_required_service_fails_the_run(tmp_path) -> None:
    result = run(tmp_path, "postgresql,chromium")
    assert result.returncode == 1, result.stdout
    assert "LOKET_REQUIRE includes postgresql, but this test was skipped" in result.stdout
    assert "missing tesseract: 2 tests skipped" in result.stdout  # not required: still only named
    assert "1 failed" in result.stdout and "1 xfailed" in result.stdout


def test_a_skip_of_a_service_not_required_leaves_the_run_green(tmp_path) -> None:
    assert run(tmp_path, "azurite,conformance").returncode == 0


def test_an_unknown_service_in_the_switch_is_a_usage_error() -> None:
    with pytest.raises(pytest.UsageError, match="postgress"):
        required("postgress,tesseract")


@pytest.mark.parametrize(
    ("reason", "service"),
    [
        ("PostgreSQL is not reachable at 127.0.0.1:5432 (OperationalError); start it", "postgresql"),
        ("no initdb/pg_ctl under /usr/lib/postgresql/*/bin", "postgresql"),
        ("Tesseract is not installed (make ocr)", "tesseract"),
        ("Azurite is not installed (npm install --no-save azurite@3.35.0, as .ci/run does)", "azurite"),
        ("no Chromium at /usr/bin/chromium (.ci/run installs Debian's chromium)", "chromium"),
        ("set SERVICEBUS_TEST_CONNECTION to run the bus contract against Azure Service Bus", None),
    ],
)
def test_the_suites_skip_reasons_map_to_their_services(reason, service) -> None:
    assert service_of(reason) == service
