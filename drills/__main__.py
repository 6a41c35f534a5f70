"""`python -m drills [--full] [--only NAME …]`: run the drills, print one table, exit 1 unless every
drill ends with lost 0, duplicated 0, wrong 0 and only the expected poison dead-lettered."""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

from drills.harness import Outcome
from drills.scenarios import DRILLS, FULL, SMALL


def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| drill | generated | lost | duplicated | wrong | dead-lettered (entity: reason) | recovered by"
        " | log lines naming a citizen | ok |",
        "|---|---:|---:|---:|---:|---|---|---:|---|",
    ]
    for o in outcomes:
        dead = "; ".join(f"{k} ×{v}" for k, v in sorted((o.dead_lettered or o.seen_dead).items())) or "none"
        lines.append(
            f"| {o.name} | {o.generated} | {o.lost} | {o.duplicated} | {o.wrong} | {dead} | {o.recovered}"
            f" | {o.leaks} | {'yes' if o.clean else 'NO'} |"
        )
    return "\n".join(lines)


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
    return 0 if all(o.clean for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
