"""`loket run`: host function_app.py on this machine, with the simulated tenant as its own process."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import typer

TENANT_PORT = 7072
log = logging.getLogger("loket.run")


def register(app: typer.Typer) -> None:
    app.command("run")(run)


def run(
    tenant: str = typer.Option("simulated", help="simulated (a local tenant on 127.0.0.1:7072) or graph"),
    port: int = typer.Option(7071, help="HTTP port of the local host"),
    rate: float = typer.Option(
        0.2, "--rate", min=0.0, help="Contacts a second from the simulated tenant (0: none)"
    ),
    tenant_port: int = typer.Option(TENANT_PORT, "--tenant-port", help="HTTP port of the simulated tenant"),
    poll: float = typer.Option(
        0.0, "--poll", min=0.0, help="Catch up every N seconds instead of subscribing (no public URL needed)"
    ),
) -> None:
    """Host Loket locally: HTTP on 127.0.0.1:7071/api, embedded bus, SQLite store, post inbox."""
    if tenant not in ("simulated", "graph"):
        raise typer.BadParameter("use simulated or graph", param_hint="--tenant")
    from cli.ports import refuse_busy

    refuse_busy(port=port, **({"tenant_port": tenant_port} if tenant == "simulated" else {}))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "httpx", "azure"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if tenant == "simulated":
        os.environ.setdefault("GRAPH_BASE_URL", f"http://127.0.0.1:{tenant_port}/v1.0")
    os.environ.setdefault("GRAPH_NOTIFICATION_URL", f"http://127.0.0.1:{port}/api/graph/notifications")
    os.environ.setdefault("GRAPH_LIFECYCLE_URL", f"http://127.0.0.1:{port}/api/graph/lifecycle")
    os.environ.setdefault("CALL_SETTLE_SECONDS", "5")  # design.md: 5 locally, 120 in Azure
    settings, services = _start_services()
    with _simulated_tenant(settings.data_dir, enabled=tenant == "simulated", port=tenant_port):
        from devhost.local_host import serve
        from function_app import app as function_app

        typer.echo(f"Loket on http://127.0.0.1:{port}/api/ui  (API key in {settings.data_dir / 'api.key'})")
        if poll > 0:
            _poll_by_catch_up(services, port, poll)
        else:
            _ensure_subscriptions_when_up(services, port)
        if tenant == "simulated" and rate > 0:
            _simulated_traffic(settings, port, rate, subscribed=poll == 0)
        try:
            serve(function_app, settings, services.bus, services.clock, port)
        finally:
            services.close()


def _start_services():
    """Settings checked, the store migrated, the services built; a wrong setting exits naming its key."""
    import bootstrap
    from adapters.data_dir import exposed, make_private
    from adapters.store.migrate import upgrade
    from settings import Settings

    settings = Settings().check()
    make_private(settings.data_dir)
    _warn_if_exposed(settings.data_dir, exposed(settings.data_dir))
    upgrade(settings.database_url)
    services = bootstrap.build(settings)
    settings = settings.model_copy(update={"api_key": services.api_key})
    services.settings = settings
    bootstrap.set_services(services)
    return settings, services


def _warn_if_exposed(data_dir: Path, paths: list[Path]) -> None:
    """The data dir holds citizens' data: say so when others can read it (made earlier, or copied)."""
    if paths:
        typer.echo(f"warning: {len(paths)} path(s) in the data dir {data_dir} can be read by other users "
                   f"(citizens' data and keys); fix with: chmod -R go-rwx {data_dir}", err=True)


@contextmanager
def _simulated_tenant(data_dir: Path, enabled: bool, port: int = TENANT_PORT):
    """The simulated tenant in its own process (its ground truth survives a host crash)."""
    if not enabled:
        yield None
        return
    process = subprocess.Popen([sys.executable, "-m", "devhost.tenant", "--port", str(port),  # noqa: S603
                                "--data-dir", str(data_dir)])
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/_sim/health", process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _ensure_subscriptions_when_up(services, port: int) -> None:
    """Once the host answers (Graph validates the notification URL on create), ensure subscriptions."""
    import threading

    def ensure() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.2)
        try:
            report = services.maintain_subscriptions()
            log.info("subscriptions: %d created, %d renewed, %d kept, %d failed", len(report.created),
                     len(report.renewed), len(report.kept), len(report.failed))
        except Exception:  # noqa: BLE001 - the host keeps serving; the hourly timer tries again
            log.exception("could not ensure the Graph subscriptions at start")

    threading.Thread(target=ensure, name="ensure-subscriptions", daemon=True).start()


def _simulated_traffic(settings, port: int, rate: float, subscribed: bool) -> None:
    """The tenant's working day at `rate` contacts a second, started once subscriptions exist."""
    import threading

    from devhost.sim_driver import start_traffic, tenant_root

    args = (tenant_root(settings.graph_base_url), f"http://127.0.0.1:{port}/api/health", rate, typer.echo)
    threading.Thread(target=start_traffic, args=args, kwargs={"subscribed": subscribed},
                     name="simulated-traffic", daemon=True).start()


def _poll_by_catch_up(services, port: int, every: float) -> None:
    """Polling mode (no subscriptions, so no public notification URL): catch up every `every` seconds."""
    import threading

    from devhost.sim_driver import poll_by_catch_up

    args = (services, f"http://127.0.0.1:{port}/api/health", every)
    threading.Thread(target=poll_by_catch_up, args=args, name="poll-catch-up", daemon=True).start()
    typer.echo(f"Polling mode: catching up every {every:g} s; no Graph subscriptions are made")


def _wait_until_up(url: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise typer.Exit(code=1)
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - a loopback URL we built
                return
        except OSError:
            time.sleep(0.2)
    raise typer.Exit(code=1)
