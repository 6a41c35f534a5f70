"""The hostile-inbox drill (issue 15, "Done when"): while the tenant's traffic flows, a text-bomb PDF,
a 400 MB file and a link out of the post inbox are dropped in. The webhook's p99 stays under 1 s,
nothing else is lost, each bad input is reported with its reason, and SIGTERM afterwards stops the
host within 10 s."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from devhost.sim_driver import DaySpec
from drills.harness import Drill, Outcome, Size, outcome
from drills.hostile_files import drop, link_out, sparse_file, text_bomb_pdf

SETTLE = 150.0
EXPECTED = {"scanned-post: extraction_timeout": 1, "scanned-post: too_large": 1, "scanned-post: symlink": 1}
# A stranger's notification: unknown subscription, so the route does its real work and discards it.
PROBE = (b'{"value": [{"subscriptionId": "00000000-0000-0000-0000-000000000000", "clientState": "x",'
         b' "changeType": "created", "resource": "Users/a/Messages/b"}]}')


class WebhookProbe(threading.Thread):
    """POSTs a notification every `every` seconds and keeps each answer's latency."""

    def __init__(self, url: str, every: float = 0.05) -> None:
        super().__init__(name="webhook-probe", daemon=True)
        self.url, self.every = url, every
        self.latencies: list[float] = []
        self.failures = 0
        self._halt = threading.Event()

    def run(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._halt.is_set():
                started = time.monotonic()
                try:
                    ok = client.post(self.url, content=PROBE).status_code == 202
                except httpx.HTTPError:
                    ok = False
                self.latencies.append(time.monotonic() - started)
                self.failures += not ok
                self._halt.wait(max(0.0, self.every - (time.monotonic() - started)))

    def stop(self) -> float:
        """Stop probing; the p99 latency in seconds."""
        self._halt.set()
        self.join(15)
        ordered = sorted(self.latencies) or [float("inf")]
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def hostile_inbox(data_dir: Path, size: Size) -> Outcome:
    drill = Drill(data_dir, {"LETTER_EXTRACTION_SECONDS": "10"})
    try:
        drill.start_host()
        drill.subscribe()
        probe = WebhookProbe(f"http://127.0.0.1:{drill.port}/api/graph/notifications")
        probe.start()
        run_id = drill.start_day(DaySpec(size.contacts, size.rate, seed=19, image_letters=0))
        inbox = data_dir / "post-inbox" / "onthaal"
        drop(inbox, "brief-bom.pdf", text_bomb_pdf())
        sparse_file(inbox / "brief-groot.pdf")
        secret = drop(data_dir / "elders", "geheim.pdf", b"%PDF-1.4 not for the inbox")
        link_out(inbox, "brief-link.pdf", secret)
        drill.wait_generated(run_id, 120)
        report = drill.settle(run_id, SETTLE)
        _wait(lambda: all(drill.poison_scans().get(k, 0) >= v for k, v in EXPECTED.items()), SETTLE)
        p99 = probe.stop()
        started = time.monotonic()
        drill.host.terminate()
        try:
            drill.host.wait(30)
        finally:
            stop_seconds = time.monotonic() - started
        notes = [f"webhook p99 {p99 * 1000:.0f} ms over {len(probe.latencies)} POSTs "
                 f"({probe.failures} not 202)", f"SIGTERM to exit {stop_seconds:.1f} s",
                 f"letters reported: {drill.poison_scans()}"]
        result = outcome("hostile post inbox (text bomb, 400 MB file, link) under traffic", report, drill,
                         recovered="nothing to recover: refused with reasons", notes=notes,
                         expect_dead=dict(EXPECTED))
        if p99 >= 1.0 or probe.failures:
            result.failed_checks.append(f"webhook p99 {p99:.2f} s, {probe.failures} failed POSTs")
        if stop_seconds >= 10:
            result.failed_checks.append(f"SIGTERM took {stop_seconds:.1f} s")
        return result
    finally:
        drill.close()


def _wait(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(1)
    return False
