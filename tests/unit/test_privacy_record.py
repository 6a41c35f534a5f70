"""docs/privacy.md is what `loket privacy record` makes of the sample policy, and it follows the policy."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from cli import privacy
from cli.privacy_record import record, shown_path
from schemas.capture_policy import load_policy
from settings import PROJECT_ROOT, SAMPLE_POLICY


def test_the_committed_privacy_document_is_the_generator_s_output_for_the_sample_policy():
    committed = (PROJECT_ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
    assert committed == record(load_policy(SAMPLE_POLICY), shown_path(SAMPLE_POLICY)), (
        "docs/privacy.md is stale: run `loket privacy record --out docs/privacy.md`"
    )


def test_the_record_follows_the_policy_s_retention_mailboxes_and_restricted_departments(policy):
    changed = policy.model_copy(
        update={
            "retention_days": {"mail": 90, "phone": 30, "post": 90},
            "audit_retention_days": 400,
            "mailboxes": policy.mailboxes[:1],
            "restricted_departments": {"Financiën": "group-1"},
        }
    )
    text = record(changed, "policy.yaml")
    assert "| contacts by phone | 30 days |" in text and "| 400 days, never erased" in text
    assert "burgerzaken@stad.example" not in text and "info@stad.example" in text
    assert "`Financiën`: only members of Entra group `group-1`" in text


def test_the_command_writes_the_document(tmp_path: Path):
    app = typer.Typer()
    privacy.register(app)
    out = tmp_path / "privacy.md"
    done = CliRunner().invoke(app, ["privacy", "record", "--out", str(out)])
    assert done.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Privacy: the record of processing")
