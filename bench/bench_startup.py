"""`loket run` start-up time (spawn -> /api/health answers 200, store migrated, subscriptions being made)
and peak resident memory of the host and of the simulated tenant, sampled with psutil every 50 ms."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from bench.support import free_port

ROOT = Path(__file__).resolve().parents[1]


def _loket() -> list[str]:
    script = Path(sys.executable).with_name("loket")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cli.main"]


class Peak:
    """Peak RSS per process (the host, and its child the tenant), sampled until told to stop."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.root = psutil.Process(proc.pid)
        self.host = self.children = 0

    def sample(self) -> None:
        try:
            self.host = max(self.host, self.root.memory_info().rss)
            kids = sum(c.memory_info().rss for c in self.root.children(recursive=True))
            self.children = max(self.children, kids)
        except psutil.Error:
            pass


def once(rate: float, window: float) -> tuple[float, Peak]:
    port, tenant_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "LOKET_DATA_DIR": tmp}
        start = time.perf_counter()
        proc = subprocess.Popen(  # noqa: S603 - our own command
            [*_loket(), "run", "--port", str(port), "--tenant-port", str(tenant_port), "--rate", str(rate)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        peak, started = Peak(proc), None
        try:
            deadline = time.monotonic() + 120
            while started is None and time.monotonic() < deadline and proc.poll() is None:
                peak.sample()
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                        started = time.perf_counter() - start
                except httpx.HTTPError:
                    time.sleep(0.05)
            end = time.monotonic() + window
            while time.monotonic() < end:
                peak.sample()
                time.sleep(0.05)
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
    if started is None:
        raise RuntimeError("loket run did not answer /api/health within 120 s")
    return started, peak


def run(full: bool) -> str:
    repeats, window = (5, 60.0) if full else (3, 15.0)
    lines = [
        "## `loket run`: start-up and memory",
        "",
        "Start-up = spawning `loket run` until GET /api/health answers 200 (fresh data dir: store"
        f" migrated, tenant process started); best and worst of {repeats}. Peak RSS over start-up plus"
        f" {window:.0f} s: idle (`--rate 0`) and with simulated traffic (`--rate 5`).",
        "",
        "| traffic | offered (contacts/s) | start-up best (s) | start-up worst (s) | host peak RSS (MiB)"
        " | child processes peak RSS (MiB): tenant, OCR |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, rate in (("idle", 0.0), ("simulated traffic", 5.0)):
        results = [once(rate, window) for _ in range(repeats if rate == 0 else 1)]
        times = [t for t, _ in results]
        host = max(p.host for _, p in results) / 2**20
        tenant = max(p.children for _, p in results) / 2**20
        lines.append(
            f"| {label} | {rate:g} | {min(times):.2f} | {max(times):.2f} | {host:,.0f} | {tenant:,.0f} |"
        )
    return "\n".join(lines) + "\n"
