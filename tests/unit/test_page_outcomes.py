"""The web page names every outcome of the contact event, `unknown` included ("onbekend" in Dutch)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from schemas.contact_event import Outcome
from settings import PROJECT_ROOT

APP_JS = PROJECT_ROOT / "functions" / "static" / "app.js"
HARNESS = """
globalThis.sessionStorage = { getItem: () => null, setItem: () => {} };
globalThis.document = { addEventListener: () => {} };
const src = require("fs").readFileSync(process.argv[1], "utf8");
const run = new Function(src + "; return { outcome, OUTCOMES, setLang: (l) => { lang = l; } };");
const page = run();
const out = {};
for (const l of ["nl", "en"]) {
  page.setLang(l);
  out[l] = Object.fromEntries(JSON.parse(process.argv[2]).map((o) => [o, page.outcome(o)]));
}
out.labelled = { nl: Object.keys(page.OUTCOMES.nl), en: Object.keys(page.OUTCOMES.en) };
console.log(JSON.stringify(out));
"""


def test_every_outcome_has_a_dutch_and_an_english_label_and_unknown_reads_onbekend():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (the browser test covers the page where it is)")
    outcomes = [o.value for o in Outcome]
    shown = json.loads(
        subprocess.run(  # noqa: S603 - node with our own script and file
            [node, "-e", HARNESS, str(APP_JS), json.dumps(outcomes)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
    )
    assert shown["nl"]["unknown"] == "onbekend" and shown["en"]["unknown"] == "unknown"
    for language in ("nl", "en"):
        assert sorted(shown["labelled"][language]) == sorted(
            outcomes
        )  # every outcome labelled, none left raw
    assert len(set(shown["nl"].values())) == len(outcomes)  # no two outcomes read alike
