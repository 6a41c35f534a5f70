"""Run every bench/bench_*.py, print their tables and write them to bench/results.md.

Each module exposes `run(full: bool) -> str`, returning a markdown section (heading + table).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from bench.recording import header, update_readme

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the large sizes (slow)")
    parser.add_argument("--only", help="run one module, e.g. bench_bus")
    args = parser.parse_args()
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        names = [n for n in names if n == args.only]
    sections = [header("Loket benchmarks" + (" (--full sizes)" if args.full else ""))]
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        section = module.run(full=args.full)
        print(section, flush=True)
        sections.append(section)
    if not args.only:
        (HERE / "results.md").write_text("\n".join(sections), encoding="utf-8")
        update_readme()  # the README's figures come from this file, never typed
    return 0


if __name__ == "__main__":
    sys.exit(main())
