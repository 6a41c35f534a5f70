"""`python -m drills [--full] [--only NAME …]`: run the drills, print one table, exit 1 unless every
drill ends with lost 0, duplicated 0, extra 0, wrong 0 and only the expected poison dead-lettered.
`--full` (all drills) records the table in drills/results.md and regenerates the README's drill table."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from drills.harness import Outcome
from drills.scenarios import DRILLS, FULL, SMALL

COLUMNS = ("lost", "duplicated", "extra", "wrong")


def table(outcomes: list[Outcome]) -> str:
    """Lost / duplicated / extra / wrong before any recovery step, then after it."""
    lines = [
        "| drill | generated | before recovery: lost / dup / extra / wrong"
        " | after: lost / dup / extra / wrong | dead-lettered (entity: reason) | recovered by"
        " | log lines naming a citizen | ok |",
        "|---|---:|---:|---:|---|---|---:|---|",
    ]
    for o in outcomes:
        dead = "; ".join(f"{k} ×{v}" for k, v in sorted((o.dead_lettered or o.seen_dead).items())) or "none"
        before = " / ".join(str(o.before.get(c, "–")) for c in COLUMNS)
        after = " / ".join(str(getattr(o, c)) for c in COLUMNS)
        if o.unseen_skips:
            after += f" (+{o.unseen_skips} junk/draft skips catch-up cannot see)"
        ok = "yes" if o.clean else "NO" + (f" ({'; '.join(o.failed_checks)})" if o.failed_checks else "")
        lines.append(
            f"| {o.name} | {o.generated} | {before} | {after} | {dead} | {o.recovered} | {o.leaks} | {ok} |"
        )
    return "\n".join(lines)


def record(outcomes: list[Outcome], full: bool) -> None:
    """drills/results.md (the table and each drill's notes), then the README's drill table from it."""
    from bench.recording import DRILL_RESULTS, header, update_readme

    size = FULL if full else SMALL
    notes = [f"- {o.name}: {'; '.join(o.notes) or '–'}" for o in outcomes]
    text = "\n".join([
        header("Loket fault drills"),
        "## Fault drills",
        "",
        f"`python -m drills{' --full' if full else ''}`: {size.contacts} contacts a drill at {size.rate:g}/s,"
        f" PostgreSQL down {size.outage:g} s; each reconciled against the simulated tenant's ground truth"
        " before any recovery step (catch-up, `loket replay dlq`, `subscriptions ensure`) and after it.",
        "",
        table(outcomes),
        "",
        "Notes:",
        "",
        *notes,
        "",
    ])
    DRILL_RESULTS.write_text(text, encoding="utf-8")
    update_readme()


def run(names: list[str], full: bool) -> list[Outcome]:
    outcomes = []
    for name in names:
        with tempfile.TemporaryDirectory(prefix=f"drill-{name}-") as tmp:
            try:
                result = DRILLS[name](Path(tmp), FULL if full else SMALL)
            except Exception as exc:  # noqa: BLE001 - a drill that cannot run is a failed drill, reported
                result = Outcome(name, notes=[f"{type(exc).__name__}: {exc}"[:300]])
                result.wrong = -1
            print(f"{result.name}: {'ok' if result.clean else 'NOT OK'} {result.notes}", flush=True)
            outcomes.append(result)
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="more contacts, a 30 s outage")
    parser.add_argument("--only", nargs="*", choices=sorted(DRILLS), help="some drills only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    outcomes = run(args.only or list(DRILLS), args.full)
    print(table(outcomes))
    if args.full and not args.only:
        record(outcomes, args.full)
    return 0 if all(o.clean for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
