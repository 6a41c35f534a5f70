"""What every drill stands on: the tenant process, the host as a killable subprocess, the drill's own
view of the same data dir (store, bus, Graph subscriptions), a simulated day, and the reconciliation."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devhost.sim_driver import DaySpec, TenantControl
from devhost.tenant.process import TenantProcess

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Size:
    contacts: int
    rate: float
    outage: float  # seconds PostgreSQL stays down


SMALL, FULL = Size(60, 20.0, 10.0), Size(400, 20.0, 30.0)


@dataclass
class Outcome:
    """One drill's verdict: the reconciliation's counts, dead letters by reason, what recovered them."""

    name: str
    generated: int = 0
    lost: int = 0
    duplicated: int = 0
    wrong: int = 0
    dead_lettered: dict[str, int] = field(default_factory=dict)
    recovered: str = "–"
    notes: list[str] = field(default_factory=list)
    expect_dead: dict[str, int] = field(default_factory=dict)  # poison that must stay dead-lettered
    seen_dead: dict[str, int] = field(default_factory=dict)  # dead-lettered on the way, since recovered
    leaks: int = 0  # host log lines naming a citizen (drills/privacy.py)
    extra: int = 0  # contacts in the run's window that no truth row explains
    # lost, duplicated, extra, wrong as reconciled before any recovery step (catch-up, replay, ensure)
    before: dict[str, int] = field(default_factory=dict)
    failed_checks: list[str] = field(default_factory=list)  # a drill's own assertions that did not hold
    unseen_skips: int = 0  # junk/draft skips left unaccounted (UNSEEN_BY_CATCH_UP), not in `lost`

    @property
    def clean(self) -> bool:
        stray = {k: v for k, v in self.dead_lettered.items() if k not in self.expect_dead}
        bad = self.lost or self.duplicated or self.extra or self.wrong or self.leaks or self.failed_checks
        owed = all(self.dead_lettered.get(k, 0) >= v for k, v in self.expect_dead.items())
        return not (bad or stray) and owed


class Drill:
    """Tenant + host subprocess over one data dir; `services` is the drill's own reader of it."""

    def __init__(self, data_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.tenant = TenantProcess(data_dir, port=free_port()).start()
        api = f"http://127.0.0.1:{self.port}/api"
        self.env = {
            "LOKET_DATA_DIR": str(data_dir),
            "GRAPH_BASE_URL": self.tenant.base_url,
            "GRAPH_NOTIFICATION_URL": f"{api}/graph/notifications",
            "GRAPH_LIFECYCLE_URL": f"{api}/graph/lifecycle",
            "CALL_SETTLE_SECONDS": "1",
            "LOKET_API_KEY": "drill-key",
            **(extra_env or {}),
        }
        self.host: subprocess.Popen | None = None
        self.control = TenantControl(self.tenant.root_url)
        self.services = None
        self.runs: list[str] = []

    # -- the host ---------------------------------------------------------------------------------
    def start_host(self, timeout: float = 60) -> None:
        log = open(self.data_dir / "host.log", "a", encoding="utf-8")  # noqa: SIM115 - the child owns it
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        self.host = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "drills.host", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.host.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/api/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the host did not start (see host.log)")

    def kill_host(self) -> dict[str, int]:
        """SIGKILL: no clean shutdown, locks held, transactions cut. Returns the messages the dead host
        held locked at that moment, per entity (read from the embedded bus's file)."""
        if self.host is not None and self.host.poll() is None:
            self.host.send_signal(signal.SIGKILL)
            self.host.wait(10)
        return self.locked_messages()

    def locked_messages(self) -> dict[str, int]:
        import sqlite3

        with sqlite3.connect(self.data_dir / "bus.db", timeout=30) as db:
            rows = db.execute(
                "SELECT entity, count(*) FROM message WHERE locked_until > ? GROUP BY entity", (time.time(),)
            ).fetchall()
        return dict(rows)

    def stop_host(self) -> None:
        if self.host is not None and self.host.poll() is None:
            self.host.terminate()
            try:
                self.host.wait(30)
            except subprocess.TimeoutExpired:
                self.kill_host()

    # -- the drill's own view ---------------------------------------------------------------------
    def open_services(self):
        import bootstrap
        from settings import Settings

        if self.services is None:
            self.services = bootstrap.build(Settings(**self.env))
        return self.services

    def subscribe(self) -> None:
        ensured = self.open_services().maintain_subscriptions()
        if ensured.failed:
            raise RuntimeError(f"could not subscribe: {sorted(set(ensured.failed))}")

    def start_day(self, spec: DaySpec) -> str:
        run_id = self.control.start(spec)["id"]
        self.runs.append(run_id)
        return run_id

    def log_leaks(self) -> list[tuple[str, str]]:
        """Lines of the host's log (every start of it) that name a citizen of any run of this drill."""
        from drills.privacy import citizen_values, leaks

        truth = [row for run_id in self.runs for row in self.control.truth(run_id)]
        values = citizen_values(truth, self.open_services().store.engine)
        path = self.data_dir / "host.log"
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines() if path.exists() else []
        return leaks(lines, values)

    def wait_generated(self, run_id: str, timeout: float) -> dict:
        return self.control.wait_generated(run_id, time.monotonic() + timeout)

    def reconcile(self, run_id: str):
        from devhost.sim_driver import RunReconciler

        return RunReconciler(self.control, run_id)(self.open_services().store.engine)

    def settle(self, run_id: str, timeout: float, poll: float = 1.0):
        deadline = time.monotonic() + timeout
        while True:
            report = self.reconcile(run_id)
            if report.clean or time.monotonic() > deadline:
                return report
            time.sleep(poll)

    def dead_letters(self) -> dict[str, int]:
        """Dead letters of every entity by Loket's recorded reason (the failure log), else the broker's."""
        from handlers.ops import dead_letters

        services = self.open_services()
        found: dict[str, int] = {}
        for counts in services.bus.counts():
            if counts.kind == "topic" or not counts.dead_lettered:
                continue
            for dead in dead_letters(services.bus, services.failure_log, counts.entity, 1000):
                key = f"{counts.entity}: {dead.reason}"
                found[key] = found.get(key, 0) + 1
        return {**found, **self.poison_scans()}

    def poison_scans(self) -> dict[str, int]:
        """Unreadable scans: left in storage, their reason in the failure log (no dead-letter queue)."""
        from sqlalchemy import text

        with self.open_services().store.engine.connect() as conn:
            rows = conn.execute(
                text("select reason, count(*) from failure_log where entity = 'scanned-post' group by reason")
            ).all()
        return {f"scanned-post: {reason}": count for reason, count in rows}

    def loket(self, *args: str) -> dict:
        """Run a `loket` command against this data dir (as an operator would), its --json answer."""
        env = {**os.environ, **self.env, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(  # noqa: S603 - our own interpreter and command
            [sys.executable, "-c", "from cli.main import main; main()", *args, "--json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        try:
            return json.loads(done.stdout or "{}")
        except json.JSONDecodeError:
            return {"exit": done.returncode, "stderr": done.stderr[-500:]}

    def close(self) -> None:
        self.stop_host()
        self.control.close()
        if self.services is not None:
            self.services.close()
        self.tenant.stop()


# Expected skips of folders catch-up never reads (design: delta covers inbox and sent items): when their
# notification was lost with the host, no skip record can be made. No citizen contact is lost with them.
UNSEEN_BY_CATCH_UP = ("mail.junk", "mail.draft")


def unseen_skips(report) -> int:
    return sum(report.missing_scenarios.get(s, 0) for s in UNSEEN_BY_CATCH_UP)


def columns(report) -> dict[str, int]:
    """lost (contacts and expected skips alike), duplicated, extra, wrong of a reconciliation."""
    counts = report.to_json()
    return {
        "lost": counts["missing"],
        "duplicated": counts["duplicated"],
        "extra": counts["extra"],
        "wrong": counts["wrong"],
    }


def outcome(name: str, report, drill: Drill, before=None, **extra) -> Outcome:
    """`report` after recovery; `before` the reconciliation before any recovery step (same when the
    drill needed none)."""
    counts = report.to_json()
    leaked = drill.log_leaks()
    notes = extra.pop("notes", [])
    if leaked:
        notes.append(f"{len(leaked)} log lines name a citizen, e.g. {leaked[0][1][:160]!r}")
    unseen = unseen_skips(report)
    if unseen:
        notes.append(f"{unseen} junk/draft skips unaccounted: their notification was lost and catch-up"
                     " never reads those folders (no contact lost; not counted as lost)")
    if not report.clean:  # which rows, by scenario and hashed source key (no personal data)
        notes.append("left: " + ", ".join(
            f"{p['verdict']} {p['scenario'] or p['channel']} {p['key']}" for p in counts["problems"][:6]
        ))
    return Outcome(
        name,
        counts["generated"],
        counts["missing"] - unseen,
        counts["duplicated"],
        counts["wrong"],
        drill.dead_letters(),
        leaks=len(leaked),
        notes=notes,
        extra=counts["extra"],
        unseen_skips=unseen,
        before=columns(before if before is not None else report),
        **extra,
    )
