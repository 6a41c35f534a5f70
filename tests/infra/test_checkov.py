"""checkov's explicit list of Azure checks passes on infra/, each on at least one resource."""
from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import yaml

from settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / ".checkov.yaml"
CHECKOV = Path(os.environ.get("CHECKOV_BIN", PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov"))
SKIP_LINE = re.compile(r"^\s*-\s*(?P<id>CKV2?_AZURE_\d+)\s*#\s*(?P<reason>.+)$")


def checkov_config() -> dict:
    return yaml.safe_load(CONFIG.read_text())


def unproven_checks(report: dict, required: list[str]) -> list[str]:
    """Required checks that passed nowhere: a check that found nothing to check proves nothing."""
    passed = Counter(c["check_id"] for c in report["results"].get("passed_checks", []))
    return [check for check in required if passed[check] == 0]


@pytest.fixture(scope="module")
def report() -> dict:
    if not CHECKOV.exists():
        if os.environ.get("LOKET_REQUIRE_CHECKOV") == "1":
            pytest.fail(f"checkov is required but missing at {CHECKOV}")
        pytest.skip("checkov is not installed: `make test` installs it into .venv-checkov")
    run = subprocess.run(  # noqa: S603 - the pinned checkov on our own config
        [str(CHECKOV), "--config-file", str(CONFIG), "--output", "json"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert run.stdout.strip(), f"checkov printed no report: {run.stderr[-2000:]}"
    data = json.loads(run.stdout)
    reports = data if isinstance(data, list) else [data]
    (bicep,) = [r for r in reports if r.get("check_type") == "bicep"]
    return bicep


def test_the_config_scans_infra_offline_with_an_explicit_list_of_azure_checks():
    config = checkov_config()
    assert config["directory"] == ["infra"] and config["framework"] == ["bicep"]
    assert config["skip-download"] is True, "checkov would call Prisma Cloud"
    assert config["check"] and all(c.startswith("CKV_AZURE_") for c in config["check"])
    assert not set(config["check"]) & set(config["skip-check"])


def test_every_skipped_check_has_a_written_reason():
    lines = CONFIG.read_text().split("skip-check:", 1)[1].splitlines()
    reasons = {m["id"]: m["reason"] for line in lines if (m := SKIP_LINE.match(line))}
    assert set(reasons) == set(checkov_config()["skip-check"])
    assert all(len(reason.split()) >= 5 for reason in reasons.values())


def test_a_required_check_that_found_nothing_to_check_is_reported():
    report = {"results": {"passed_checks": [{"check_id": "CKV_AZURE_3"}]}}
    assert unproven_checks(report, ["CKV_AZURE_3", "CKV_AZURE_44"]) == ["CKV_AZURE_44"]


def test_checkov_parses_every_template(report):
    assert report["summary"]["parsing_errors"] == 0, report["results"].get("parsing_errors")
    assert report["summary"]["resource_count"] > 0


def test_no_listed_check_fails(report):
    failed = [(c["check_id"], c["resource"], c["file_path"]) for c in report["results"]["failed_checks"]]
    assert failed == []


def test_every_listed_check_passes_on_at_least_one_resource(report):
    assert unproven_checks(report, checkov_config()["check"]) == []
