"""`loket simulate --contacts N --rate R [--faults …] [--json]`: drive the simulated tenant against a
running host (`loket run`), then reconcile its ground truth against the CRM store.
`loket reconcile RUN [--json]`: reconcile a finished simulation again, against the store as it is now
(after a replay or a repair)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from cli.output import emit_json, fail
from cli.ports import PORT_HELP, TENANT_PORT_HELP, use_ports

FAULT_HELP = (
    "none, all, or a comma list of: throttle, unavailable, slow, duplicates, early, late-versions, stale"
)


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
    app.command("reconcile")(reconcile)


def simulate(
    contacts: int = typer.Option(50, "--contacts", min=1, help="How many contacts the tenant generates."),
    rate: float = typer.Option(5.0, "--rate", min=0.0, help="Contacts a second (0: as fast as it can)."),
    faults: str = typer.Option("none", "--faults", help=FAULT_HELP),
    fault_rate: float = typer.Option(0.2, "--fault-rate", min=0.0, max=1.0, help="Share of contacts hit."),
    seed: int | None = typer.Option(None, "--seed", help="Repeat a day's mix of scenarios and people."),
    image_letters: int | None = typer.Option(
        None, "--image-letters", min=0, help="Image-only scans (default: 2 with Tesseract, else 0)."
    ),
    timeout: float = typer.Option(180.0, "--timeout", min=1.0, help="Seconds to wait for capture."),
    port: int | None = typer.Option(None, "--port", help=PORT_HELP),
    tenant_port: int | None = typer.Option(None, "--tenant-port", help=TENANT_PORT_HELP),
    subscribe: bool = typer.Option(True, help="Ensure subscriptions (--no-subscribe: a `--poll` host)."),
    as_json: bool = typer.Option(False, "--json", help="Print the reconciliation as JSON."),
) -> None:
    """Generate a working day of contacts and check what Loket made of each one."""
    from devhost.sim_driver import DaySpec, SimulationError, ocr_available, simulate_day
    from devhost.tenant.faults import parse_kinds

    try:
        kinds = tuple(parse_kinds(faults))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--faults") from None
    use_ports(port, tenant_port)
    if image_letters is None:
        image_letters = 2 if ocr_available() else 0
        if not image_letters:
            typer.echo("Tesseract is not installed: no image-only letters this time (`make ocr`, or "
                       "--image-letters N to send them anyway)", err=True)
    services = _reader_services()
    progress = None if as_json else _progress(contacts)
    try:
        spec = DaySpec(contacts, rate, kinds, fault_rate, seed, image_letters)
        run_id, report = simulate_day(services, spec, timeout, subscribe=subscribe, progress=progress)
    except SimulationError as exc:
        raise fail(str(exc)) from None
    finally:
        if "store" in services.__dict__:
            services.store.dispose()
    if as_json:
        emit_json(with_run(report.to_json(), run_id))
    else:
        show(run_id, report.to_json(), Console())
    if not report.clean:
        raise typer.Exit(code=1)


def _progress(contacts: int):
    """One line on stderr each time the figures change: generated, then captured and still missing."""
    last = [""]

    def tell(line: str) -> None:
        if line != last[0]:
            last[0] = line
            typer.echo(f"simulate: {line} of {contacts}", err=True)

    return tell


def reconcile(
    run: str = typer.Argument(..., help="The run id `loket simulate` printed."),
    tenant_port: int | None = typer.Option(None, "--tenant-port", help=TENANT_PORT_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the reconciliation as JSON."),
) -> None:
    """Check a finished simulated day against the store as it is now (exit 1 unless all zeros)."""
    from devhost.sim_driver import RunReconciler, SimulationError, TenantControl, tenant_root

    use_ports(None, tenant_port)
    services = _reader_services()
    tenant = TenantControl(tenant_root(services.settings.graph_base_url))
    try:
        report = RunReconciler(tenant, run)(services.store.engine)
    except SimulationError as exc:
        raise fail(str(exc)) from None
    finally:
        tenant.close()
        if "store" in services.__dict__:
            services.store.dispose()
    if as_json:
        emit_json(with_run(report.to_json(), run))
    else:
        show(run, report.to_json(), Console())
    if not report.clean:
        raise typer.Exit(code=1)


def with_run(result: dict, run_id: str) -> dict:
    """design.md's order: the top-level integers, `run`, then the breakdowns."""
    head = {k: v for k, v in result.items() if isinstance(v, int)}
    return {**head, "run": run_id, **{k: v for k, v in result.items() if k not in head}}


def _reader_services():
    """What reconciling needs (settings, policy, store, subscription registry, client-state key),
    without opening the bus: the host owns that."""
    from adapters.clock import default_clock
    from bootstrap import Services
    from schemas.capture_policy import load_policy
    from settings import Settings

    settings = Settings().check()
    return Services(
        settings=settings,
        clock=default_clock(settings.data_dir),
        bus=None,
        policy=load_policy(settings.capture_policy_path),
    )


def show(run_id: str, result: dict, console: Console) -> None:
    table = Table(title=f"Simulated day {run_id}")
    columns = ("generated", "captured", "skipped", "missing", "duplicated", "extra", "wrong")
    table.add_column("channel")
    for name in columns:
        table.add_column(name, justify="right")
    for channel, counts in result["by_channel"].items():
        table.add_row(channel, *(str(counts[c]) for c in columns))
    table.add_row("all", *(str(result[c]) for c in columns), style="bold")
    console.print(table)
    if result["skip_reasons"]:
        console.print("skipped: " + ", ".join(f"{k} {v}" for k, v in result["skip_reasons"].items()))
    for problem in result["problems"]:
        console.print(
            f"[red]{problem['verdict']}[/red] {problem['channel']} {problem['key']}"
            f" {problem['scenario'] or '-'} {' '.join(problem['fields'])}"
            f" faults: {','.join(problem['faults']) or '-'}"
        )
