"""No number in the README is typed by hand: its figures and drill sections are what bench/recording.py
makes of bench/results.md and drills/results.md, and each results file names its date, commit and machine."""

from __future__ import annotations

import re

import pytest

from bench.recording import BENCH_RESULTS, DRILL_RESULTS, MARKERS, README, render, replace_between, summary

RESULTS = """# Loket benchmarks

Recorded 2026-12-05 18:00 UTC at commit abc1234567 on 2 cores (x86_64), Python 3.11.7, Linux. Shared.

## Webhook

Prose that stays in the file.

| route | p50 (ms) | p99 (ms) |
|---|---:|---:|
| graph/notifications | 2.3 | 80.5 |

**Loket's overhead at 500/s: p50 1.46×, p99 17.04×.**

## Nothing to show

Only prose here.
"""


def test_the_readme_sections_are_exactly_what_the_generator_makes_of_the_recorded_results() -> None:
    readme = README.read_text(encoding="utf-8")
    bench, drills = (p.read_text(encoding="utf-8") for p in (BENCH_RESULTS, DRILL_RESULTS))
    expected = render(readme, bench, drills)
    assert readme == expected, "run `python -m bench.recording` (make bench / make drills-full do)"


@pytest.mark.parametrize("path", [BENCH_RESULTS, DRILL_RESULTS])
def test_each_recording_names_its_date_commit_and_machine(path) -> None:
    first = re.search(r"^Recorded .*$", path.read_text(encoding="utf-8"), re.M)
    assert first, path
    stamp = r"Recorded \d{4}-\d\d-\d\d \d\d:\d\d UTC at commit [0-9a-f]{7,}\S* on \d+ cores"
    assert re.search(stamp, first.group(0))


def test_the_summary_keeps_the_recorded_line_tables_and_bold_lines_and_drops_prose() -> None:
    text = summary(RESULTS)
    assert text.startswith("Recorded 2026-12-05 18:00 UTC at commit abc1234567")
    assert "| graph/notifications | 2.3 | 80.5 |" in text
    assert "**Loket's overhead at 500/s: p50 1.46×, p99 17.04×.**" in text
    assert "Prose that stays" not in text and "Nothing to show" not in text


def test_only_the_text_between_the_markers_changes() -> None:
    begin, end = MARKERS["figures"]
    readme = f"# Title\n\nkept before\n{begin}\nold figures\n{end}\nkept after\n"
    out = replace_between(readme, "figures", "new figures\n")
    assert out == f"# Title\n\nkept before\n{begin}\nnew figures\n{end}\nkept after\n"


def test_a_readme_without_markers_is_an_error_not_a_silent_no_op() -> None:
    with pytest.raises(ValueError, match="figures markers"):
        replace_between("# no markers\n", "figures", "x\n")
