"""`python -m bench.soak [--minutes 60] [--rate 1]`: does `loket run`'s memory stay flat?

Starts `loket run --rate R` on free ports with a data dir of its own, samples the host's resident
memory (psutil) every 30 s, and compares the RSS at the end with the RSS after the first ten minutes
(the warm-up: imports, caches and the SQLite page cache filled). The issue's target is within 10 %.
Contacts captured are counted from the store alongside, so a flat line from a host that captured
nothing cannot pass. Writes `bench/results-soak.md`. Not part of `make bench` (it takes an hour).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.bench_startup import _loket
from bench.support import free_port

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results-soak.md"
TOLERANCE = 0.10


@dataclass
class Sample:
    minute: float
    host_mib: float
    tenant_mib: float
    contacts: int


@dataclass
class Soak:
    rate: float
    minutes: float
    warmup: float
    samples: list[Sample] = field(default_factory=list)

    def at(self, minute: float) -> Sample:
        """The first sample at or after `minute` (the last one if the run ended early)."""
        return next((s for s in self.samples if s.minute >= minute), self.samples[-1])

    @property
    def growth(self) -> float:
        start, end = self.at(self.warmup), self.samples[-1]
        return (end.host_mib - start.host_mib) / start.host_mib

    @property
    def flat(self) -> bool:
        captured = self.samples[-1].contacts - self.at(self.warmup).contacts
        return abs(self.growth) <= TOLERANCE and captured > 0


def _contacts(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM contacts").fetchone()[0]
    except sqlite3.Error:
        return -1


def _rss(proc: psutil.Process) -> tuple[float, float]:
    try:
        host = proc.memory_info().rss
        kids = sum(c.memory_info().rss for c in proc.children(recursive=True))
    except psutil.Error:
        return float("nan"), float("nan")
    return host / 2**20, kids / 2**20


def soak(rate: float, minutes: float, warmup: float, every: float = 30.0, log=print) -> Soak:
    result = Soak(rate, minutes, warmup)
    port, tenant_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="loket-soak-") as tmp:
        env = {**os.environ, "LOKET_DATA_DIR": tmp}
        with open(Path(tmp) / "host.log", "wb") as host_log:
            proc = subprocess.Popen(  # noqa: S603 - our own command
                [*_loket(), "run", "--port", str(port), "--tenant-port", str(tenant_port),
                 "--rate", str(rate)],
                cwd=ROOT, env=env, stdout=host_log, stderr=subprocess.STDOUT,
            )
            host = psutil.Process(proc.pid)
            start = time.monotonic()
            try:
                while (elapsed := time.monotonic() - start) < minutes * 60 and proc.poll() is None:
                    host_mib, tenant_mib = _rss(host)
                    sample = Sample(elapsed / 60, host_mib, tenant_mib, _contacts(Path(tmp) / "loket.db"))
                    result.samples.append(sample)
                    log(f"{sample.minute:6.1f} min  host {host_mib:7.1f} MiB  tenant {tenant_mib:7.1f} MiB"
                        f"  contacts {sample.contacts}")
                    time.sleep(every)
                host_mib, tenant_mib = _rss(host)
                result.samples.append(Sample((time.monotonic() - start) / 60, host_mib, tenant_mib,
                                             _contacts(Path(tmp) / "loket.db")))
            finally:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(10)
    return result


def report(result: Soak) -> str:
    start, end = result.at(result.warmup), result.samples[-1]
    marks = sorted({0.0, 1.0, 5.0, result.warmup, 20.0, 30.0, 40.0, 50.0, end.minute})
    rows = [result.at(m) for m in marks if m <= end.minute]
    lines = [
        f"## `loket run --rate {result.rate:g}` over {end.minute:.0f} minutes: host memory",
        "",
        f"Recorded {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, Python"
        f" {sys.version.split()[0]};"
        f" `python -m bench.soak --minutes {result.minutes:g} --rate {result.rate:g}`."
        f" Host RSS after {result.warmup:g} minutes: {start.host_mib:.1f} MiB; at the end:"
        f" {end.host_mib:.1f} MiB ({result.growth:+.1%}); target within ±{TOLERANCE:.0%}:"
        f" **{'met' if result.flat else 'NOT met'}**. Contacts captured meanwhile:"
        f" {end.contacts - start.contacts:,}.",
        "",
        "| minute | host RSS (MiB) | tenant RSS (MiB) | contacts in the store |",
        "|---:|---:|---:|---:|",
    ]
    seen = set()
    for s in rows:
        if s.minute in seen:
            continue
        seen.add(s.minute)
        lines.append(f"| {s.minute:.1f} | {s.host_mib:.1f} | {s.tenant_mib:.1f} | {s.contacts:,} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--rate", type=float, default=1.0)
    parser.add_argument("--warmup", type=float, default=10.0, help="minutes before the reference sample")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = soak(args.rate, args.minutes, args.warmup, args.every)
    text = report(result)
    print(text)
    args.out.write_text(text, encoding="utf-8")
    return 0 if result.flat else 1


if __name__ == "__main__":
    sys.exit(main())
