"""Drive a simulated day against a running host and reconcile it (`loket simulate`, the e2e test).

Order: subscriptions ensured (the host answers the handshake), the tenant asked to generate N
contacts at R a second (it records the ground truth first), then the store polled until every
truth row is accounted for or the deadline passes (a bound on waiting, not a speed claim).
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from devhost.reconcile import Report, reconcile

log = logging.getLogger(__name__)


Progress = Callable[[str], None]  # told where a simulation is, e.g. "captured 120, waiting for 80"


class SimulationError(RuntimeError):
    """The tenant or the host could not be driven (not reachable, refused the request)."""


@dataclass(frozen=True)
class DaySpec:
    contacts: int
    rate: float
    faults: tuple[str, ...] = ()
    fault_rate: float = 0.2
    seed: int | None = None
    image_letters: int = 2

    def body(self) -> dict:
        return {
            "contacts": self.contacts,
            "rate": self.rate,
            "faults": list(self.faults),
            "faultRate": self.fault_rate,
            "seed": self.seed,
            "imageLetters": self.image_letters,
        }


def tenant_root(graph_base_url: str) -> str:
    """http://127.0.0.1:7072/v1.0 -> http://127.0.0.1:7072 (the control API lives beside Graph)."""
    return graph_base_url.rstrip("/").removesuffix("/v1.0")


class TenantControl:
    def __init__(self, root_url: str, timeout: float = 30.0) -> None:
        self.http = httpx.Client(base_url=root_url, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs) -> dict:
        try:
            answer = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise SimulationError(f"the simulated tenant at {self.http.base_url} is not reachable") from exc
        if answer.status_code >= 400:
            raise SimulationError(f"the simulated tenant refused {path}: HTTP {answer.status_code}")
        return answer.json()

    def start(self, spec: DaySpec) -> dict:
        return self._call("POST", "/_sim/runs", json=spec.body())

    def run(self, run_id: str) -> dict:
        return self._call("GET", f"/_sim/runs/{run_id}")

    def truth(self, run_id: str) -> list[dict]:
        return self._call("GET", f"/_sim/runs/{run_id}/truth")["value"]

    def runs(self) -> list[dict]:
        return self._call("GET", "/_sim/runs")["value"]

    def wait_generated(self, run_id: str, deadline: float, progress: Progress | None = None) -> dict:
        while True:
            run = self.run(run_id)
            if progress is not None:
                progress(f"generated {run.get('generated', 0)}")
            if run.get("done") or time.monotonic() > deadline:
                return run
            time.sleep(0.5)


def wait_for_host(health_url: str, deadline: float) -> None:
    while True:
        try:
            if httpx.get(health_url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SimulationError(f"the host does not answer at {health_url}: is `loket run` running?")
        time.sleep(0.3)


WINDOW_SLACK = dt.timedelta(seconds=5)


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class RunReconciler:
    """One run's truth against the store as it is now. `extra` counts contacts captured from the run's
    start until the next run began (or now) that no run of this tenant explains; the truth of finished
    runs is read once."""

    def __init__(self, tenant: TenantControl, run_id: str) -> None:
        self.tenant, self.run_id = tenant, run_id
        self._finished: dict[str, set[tuple[str, str]]] = {}

    def window(self, runs: list[dict]) -> tuple[dt.datetime, dt.datetime]:
        mine = next((r for r in runs if r["id"] == self.run_id), None)
        if mine is None:
            raise SimulationError(f"the simulated tenant knows no run {self.run_id}")
        start = _instant(mine["started"])
        later = [_instant(r["started"]) for r in runs if _instant(r["started"]) > start]
        end = min(later) if later and mine.get("done") else dt.datetime.now(dt.UTC) + WINDOW_SLACK
        return start - WINDOW_SLACK, end

    def explained(self, runs: list[dict]) -> set[tuple[str, str]]:
        keys: set[tuple[str, str]] = set()
        for run in runs:
            if run["id"] == self.run_id:
                continue
            known = self._finished.get(run["id"])
            if known is None:
                known = {(r["channel"], r["source_id"]) for r in self.tenant.truth(run["id"])}
                if run.get("done"):
                    self._finished[run["id"]] = known
            keys |= known
        return keys

    def __call__(self, engine) -> Report:
        runs = self.tenant.runs()
        window = self.window(runs)
        return reconcile(
            self.tenant.truth(self.run_id), engine, window=window, explained=self.explained(runs)
        )


def settle(
    tenant: TenantControl,
    run_id: str,
    engine,
    deadline: float,
    poll: float = 1.0,
    settled: Callable[[Report], bool] = lambda report: report.clean,
    progress: Progress | None = None,
) -> Report:
    """Reconcile until `settled` (default: nothing missing, doubled, extra or wrong) or the deadline."""
    check = RunReconciler(tenant, run_id)
    while True:
        report = check(engine)
        if progress is not None:
            counts = report.to_json()
            progress(f"captured {counts['captured']}, skipped {counts['skipped']}, waiting for "
                     f"{counts['missing']}")
        if settled(report) or time.monotonic() > deadline:
            return report
        time.sleep(poll)


def simulate_day(
    services,
    spec: DaySpec,
    timeout: float = 180.0,
    subscribe: bool = True,
    settled: Callable[[Report], bool] = lambda report: report.clean,
    progress: Progress | None = None,
) -> tuple[str, Report]:
    """The whole round against the host `services.settings` describes; returns (run id, report).
    `subscribe=False`: the host captures by catch-up alone (`loket run --poll`)."""
    settings = services.settings
    deadline = time.monotonic() + timeout
    host_health = settings.graph_notification_url.split("/api/")[0] + "/api/health"
    wait_for_host(host_health, min(deadline, time.monotonic() + 15))
    if subscribe:
        ensured = services.maintain_subscriptions()  # the subscription manager, as `loket run` does
        if ensured.failed:
            raise SimulationError(f"could not subscribe to {', '.join(sorted(set(ensured.failed)))}")
    tenant = TenantControl(tenant_root(settings.graph_base_url))
    try:
        run = tenant.start(spec)
        generation = spec.contacts / spec.rate if spec.rate > 0 else 0.0
        run = tenant.wait_generated(run["id"], time.monotonic() + generation + timeout, progress)
        log.info("simulated day generated", extra={"run": run["id"], "generated": run["generated"]})
        return run["id"], settle(
            tenant, run["id"], services.store.engine, time.monotonic() + timeout, settled=settled,
            progress=progress,
        )
    finally:
        tenant.close()


def start_traffic(
    root_url: str, health_url: str, rate: float, echo, wait: float = 120.0, subscribed: bool = True
) -> None:
    """`loket run --rate R`: once the host is up and the tenant has its subscriptions, let the tenant
    generate contacts at R a second until stopped, and print a look-up to try on the first one."""
    deadline = time.monotonic() + wait
    tenant = TenantControl(root_url)
    try:
        wait_for_host(health_url, deadline)
        while subscribed and not tenant._call("GET", "/v1.0/subscriptions").get("value"):
            if time.monotonic() > deadline:
                raise SimulationError("no Graph subscriptions: the simulated tenant has nobody to notify")
            time.sleep(0.5)
        run = tenant.start(DaySpec(contacts=0, rate=rate, image_letters=1 if ocr_available() else 0))
        echo(f"Simulated tenant: {rate:g} contacts a second (run {run['id']}; `loket run --rate 0` for none)")
        _suggest_lookup(tenant, run["id"], echo, deadline + 60)
    except SimulationError as exc:
        echo(f"loket: simulated traffic not started: {exc}")
    finally:
        tenant.close()


def ocr_available() -> bool:
    """Whether this machine can read image-only scans (Tesseract on PATH): else the simulated tenant
    sends none, instead of letters that would wait for an OCR that never comes."""
    return shutil.which("tesseract") is not None


def loket_command() -> str:
    """How the person who started this process runs `loket`: the bare name when it is on PATH, else the
    path they used (`make run` starts `.venv/bin/loket`, which a fresh shell does not find)."""
    started = Path(sys.argv[0]).resolve()
    on_path = shutil.which("loket")
    if on_path and Path(on_path).resolve() == started:
        return "loket"
    try:
        return str(started.relative_to(Path.cwd()))
    except ValueError:
        return str(started)


def _suggest_lookup(tenant: TenantControl, run_id: str, echo, deadline: float) -> None:
    while time.monotonic() < deadline:
        for row in tenant.truth(run_id):
            email = (row.get("citizen") or {}).get("email")
            if row["captured"] and email:
                echo(f'Try: {loket_command()} lookup --email {email} --reason "trying Loket"')
                return
        time.sleep(1.0)


def poll_by_catch_up(services, health_url: str, every: float) -> None:
    """`loket run --poll N`: no notifications, only catch-up (delta per mailbox folder, recent call
    records) every N seconds. Runs until the process ends (a daemon thread)."""
    wait_for_host(health_url, time.monotonic() + 60)
    while True:
        try:
            services.catch_up()
        except Exception:  # the next round tries again; the host keeps serving
            log.exception("catch-up round failed")
        time.sleep(every)
