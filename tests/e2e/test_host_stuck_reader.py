"""One stuck invocation never stops the host (issue 15): with a letter's reader stuck in C code,
health answers in under a second and SIGTERM stops the whole host within 10 s, reader included.

The host runs as `loket run` runs it, in its own process (`python -m drills.host --reader stuck`: a
reader that hangs inside the regex engine, never releasing the interpreter, as a text bomb did).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from settings import PROJECT_ROOT
from tests.e2e.conftest import free_port, wait_for
from tests.fixtures.post.pdfs import text_layer_pdf


def children(pid: int, marker: str) -> list[int]:
    """Child processes of `pid` whose command line holds `marker` (from /proc: Linux only)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid and marker in cmdline:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_health_answers_within_a_second_and_sigterm_stops_the_host_while_a_reader_is_stuck(tmp_path):
    port = free_port()
    env = {**os.environ, "LOKET_DATA_DIR": str(tmp_path), "LOKET_API_KEY": "k" * 32,
           "GRAPH_BASE_URL": f"http://127.0.0.1:{free_port()}/v1.0", "PYTHONUNBUFFERED": "1"}
    log = (tmp_path / "host.log").open("wb")
    host = subprocess.Popen([sys.executable, "-m", "drills.host", "--port", str(port), "--reader", "stuck"],  # noqa: S603
                            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/api/health"
    try:
        assert wait_for(lambda: _up(url), timeout=60), "the host did not start"
        inbox = tmp_path / "post-inbox" / "onthaal"
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / ".bom.pdf.part").write_bytes(text_layer_pdf("Betreft: een brief\n" + "a" * 5000))
        (inbox / ".bom.pdf.part").rename(inbox / "bom.pdf")
        readers = wait_for(lambda: children(host.pid, "spawn_main"), timeout=30) or []
        time.sleep(3)  # the reader is inside the regex now

        with httpx.Client(timeout=5) as client:  # one client: a new one costs an SSL context each time
            client.get(url)
            for _ in range(5):
                started = time.monotonic()
                response = client.get(url)
                assert response.status_code == 200 and time.monotonic() - started < 1.0
            handshake = client.post(f"http://127.0.0.1:{port}/api/graph/notifications?validationToken=abc")
            assert handshake.status_code == 200

        assert readers, "no reader process was started for the letter"
        host.send_signal(signal.SIGTERM)
        started = time.monotonic()
        host.wait(timeout=10)
        assert time.monotonic() - started < 10
        assert not any(alive(pid) for pid in readers), "a reader outlived the host"
    finally:
        if host.poll() is None:
            host.kill()
            host.wait()
        log.close()


def _up(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
