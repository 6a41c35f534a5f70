"""Recorded runs and the README's figures: one header for every recording (date, commit, machine), and
the README's figures and drill sections regenerated from `bench/results.md` and `drills/results.md`
between markers, so that no number in the README is typed by hand.

`python -m bench.recording` rewrites the README from the two files; `make bench` and
`make drills-full` call it after recording. tests/unit/test_readme_figures.py checks they agree.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BENCH_RESULTS = ROOT / "bench" / "results.md"
DRILL_RESULTS = ROOT / "drills" / "results.md"
LOAD_NOTE = (
    "The machine is shared (other work ran beside this recording): absolute rates and latencies vary "
    "from run to run; the ratios measured side by side in one run are what to compare."
)
MARKERS = {
    "figures": ("<!-- figures:begin: generated from bench/results.md by `python -m bench.recording` -->",
                "<!-- figures:end -->"),
    "drills": ("<!-- drills:begin: generated from drills/results.md by `python -m bench.recording` -->",
               "<!-- drills:end -->"),
}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def commit() -> str:
    """The commit the code was at; `+changes` when the tree held uncommitted changes to code."""
    def git(*args: str) -> str:
        done = subprocess.run(  # noqa: S603 - git with fixed arguments
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False  # noqa: S607
        )
        return done.stdout

    sha = git("rev-parse", "--short=10", "HEAD").strip() or "unknown"
    changed = [
        line for line in git("status", "--porcelain", "--untracked-files=no").splitlines()
        if not line[3:].endswith(("results.md", "README.md"))
    ]
    return sha + ("+changes" if changed else "")


def load() -> str:
    """The machine's load average when the recording started: how much else was running."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) at the start"


def header(title: str) -> str:
    """The first lines of a results file: what, when, at which commit, on what, how loaded."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"# {title}\n\nRecorded {when} at commit {commit()} on {machine()}; {load()}. {LOAD_NOTE}\n"


def recorded_line(results: str) -> str:
    found = re.search(r"^Recorded .*$", results, re.M)
    return found.group(0) if found else "Recorded: unknown."


def summary(results: str) -> str:
    """Each section's heading, its tables and its bold summary lines; the prose stays in the file."""
    out = [recorded_line(results), ""]
    for block in re.split(r"^## ", results, flags=re.M)[1:]:
        heading, _, body = block.partition("\n")
        kept = [line for line in body.splitlines() if line.startswith(("|", "**"))]
        if not kept:
            continue
        out += [f"**{heading.strip()}**", ""]
        previous_table = False
        for line in kept:
            table = line.startswith("|")
            if previous_table and not table:
                out.append("")
            out.append(line)
            previous_table = table
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def replace_between(text: str, name: str, body: str) -> str:
    begin, end = MARKERS[name]
    if begin not in text or end not in text:
        raise ValueError(f"the README has no {name} markers ({begin} … {end})")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{body}{end}{tail}"


def render(readme: str, bench: str, drills: str) -> str:
    return replace_between(replace_between(readme, "figures", summary(bench)), "drills", summary(drills))


def update_readme() -> None:
    readme = README.read_text(encoding="utf-8")
    bench = BENCH_RESULTS.read_text(encoding="utf-8")
    drills = DRILL_RESULTS.read_text(encoding="utf-8")
    README.write_text(render(readme, bench, drills), encoding="utf-8")


if __name__ == "__main__":
    update_readme()
    sys.exit(0)
