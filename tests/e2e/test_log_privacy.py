"""No log line of a whole simulated day names a citizen: no phone number, e-mail address or name.

Every log record of the process (Loket's own and its libraries', DEBUG and up, with its `extra`
fields and traceback) is kept while the host captures a day with every Graph fault, then searched
for each citizen the ground truth and the store know of, in the forms people write them.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from devhost.sim_driver import DaySpec, TenantControl, simulate_day, tenant_root
from devhost.tenant.faults import KINDS
from devhost.tenant.process import TenantProcess
from drills.privacy import citizen_values, leaks, phone_forms

STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Keep(logging.Handler):
    """Every record as the line an operator would read, plus its extra fields and traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        extra = {k: v for k, v in vars(record).items() if k not in STANDARD}
        self.lines.append(f"{self.format(record)} {extra!r}")


@pytest.fixture
def logged_day(tmp_path: Path) -> Iterator[tuple[list[str], list[dict], object]]:
    """A day of 120 contacts with every fault through the host in this process; the log lines kept."""
    import bootstrap
    from adapters.store.migrate import upgrade
    from devhost.local_host import LocalHost
    from devhost.servicebus_runner import ServiceBusOptions
    from settings import Settings

    keep, root = Keep(), logging.getLogger()
    previous = root.level
    root.addHandler(keep)
    root.setLevel(logging.DEBUG)
    host_port = free_port()
    tenant = TenantProcess(tmp_path, port=free_port()).start()
    api = f"http://127.0.0.1:{host_port}/api"
    settings = Settings(
        data_dir=tmp_path,
        api_key="privacy-key",
        scan_storage=None,
        graph_base_url=tenant.base_url,
        graph_notification_url=f"{api}/graph/notifications",
        graph_lifecycle_url=f"{api}/graph/lifecycle",
        call_settle_seconds=1,
    )
    upgrade(settings.database_url)
    services = bootstrap.build(settings)
    bootstrap.set_services(services)
    from function_app import app

    host = LocalHost(
        app,
        settings,
        services.bus,
        services.clock,
        servicebus=ServiceBusOptions(max_concurrent_calls=8, receive_wait_seconds=0.1),
    )
    try:
        host.start(host_port)
        run_id, report = simulate_day(services, DaySpec(120, 0, KINDS, 0.25, seed=10, image_letters=1), 150)
        control = TenantControl(tenant_root(settings.graph_base_url))
        truth = control.truth(run_id)
        control.close()
        assert report.clean, report.to_json()["problems"]
        yield keep.lines, truth, services
    finally:
        host.stop()
        bootstrap.set_services(None)
        services.close()
        tenant.stop()
        root.removeHandler(keep)
        root.setLevel(previous)


def test_no_log_line_of_a_day_with_every_fault_names_a_citizen(logged_day):
    lines, truth, services = logged_day
    assert len(lines) > 100, "the day logged almost nothing: the capture is not what this test thinks"
    values = citizen_values(truth, services.store.engine)
    assert any("@" in v for v in values) and any(v.startswith("+32") for v in values)
    found = leaks(lines, values)
    assert found == [], f"{len(found)} log lines name a citizen, e.g. {found[:3]}"


def test_the_leak_check_finds_a_citizen_in_any_usual_form():
    values = {"jan.peeters@example.be", "Jan Peeters", *phone_forms("+32475123456")}
    assert leaks(["INFO x contact from 0475 12 34 56 done"], values)
    assert leaks(["INFO x sender=JAN.PEETERS@example.be"], values)
    assert leaks(["WARNING x Jan  Peeters wrote"], values)
    assert not leaks(["INFO contact 7d1c2a created for party 12"], values)
