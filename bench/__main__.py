"""Run every bench/bench_*.py, print their tables and write them to bench/results.md.

Each module exposes `run(full: bool) -> str`, returning a markdown section (heading + table).
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="the large sizes (slow)")
    parser.add_argument("--only", help="run one module, e.g. bench_bus")
    args = parser.parse_args()
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if args.only:
        names = [n for n in names if n == args.only]
    sections = [f"# Loket benchmarks\n\nRecorded {dt.date.today()} on {_machine()}.\n"]
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        section = module.run(full=args.full)
        print(section, flush=True)
        sections.append(section)
    if not args.only:
        (HERE / "results.md").write_text("\n".join(sections), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
