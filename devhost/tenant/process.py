"""Start and stop the simulated tenant as its own process (for `loket run` and tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class TenantProcess:
    """`python -m devhost.tenant --port P --data-dir D`; `start()` returns once /_sim/health answers.

    Use as a context manager, or call start()/stop(). `base_url` is what GRAPH_BASE_URL should be.
    """

    def __init__(self, data_dir: Path, port: int = 7072, host: str = "127.0.0.1") -> None:
        self.data_dir, self.port, self.host = Path(data_dir), port, host
        self.proc: subprocess.Popen | None = None

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/v1.0"

    def start(self, timeout: float = 30.0) -> TenantProcess:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])),
        }
        args = ["--host", self.host, "--port", str(self.port), "--data-dir", str(self.data_dir)]
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "devhost.tenant", *args],
            cwd=PROJECT_ROOT,
            env=env,
        )
        deadline = time.monotonic() + timeout
        while not self._healthy():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise RuntimeError(f"the simulated tenant did not start on port {self.port}")
            time.sleep(0.1)
        return self

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.root_url}/_sim/health", timeout=2) as answer:  # noqa: S310
                return answer.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM (uvicorn shuts down cleanly), then SIGKILL if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """Kill at once (tests: the ground truth must survive this)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> TenantProcess:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
