"""The local host runs a fixture FunctionApp unchanged: real HTTP (uvicorn), the real embedded bus, the
post inbox and timers on a moved clock."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import importlib.util
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from adapters.bus import open_bus
from adapters.clock import MovableClock
from devhost.local_host import LocalHost
from devhost.servicebus_runner import ServiceBusOptions
from handlers.ports.bus import MAX_DELIVERY_REASON, MessageBus, OutgoingMessage
from settings import Settings

FIXTURE_APP = Path(__file__).resolve().parents[1] / "fixtures" / "host_app" / "function_app.py"
START = dt.datetime(2026, 11, 28, 12, 0, 30, tzinfo=dt.UTC)
API_KEY = "local-test-key"
_loads = itertools.count()


def load_fixture_app() -> ModuleType:
    """A fresh module (and FunctionApp, and CALLS list) for each test."""
    spec = importlib.util.spec_from_file_location(f"host_fixture_app_{next(_loads)}", FIXTURE_APP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def eventually(check: Callable[[], object], within: float = 30.0) -> object:
    """Wait until `check()` is truthy (a bound on waiting, not a speed assertion)."""
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            assert result, "the host never got there"
            return result
        time.sleep(0.05)


@pytest.fixture
def fixture_app() -> ModuleType:
    return load_fixture_app()


@pytest.fixture
def clock(tmp_path: Path) -> MovableClock:
    clock = MovableClock.install(tmp_path)
    clock.freeze(START)
    return clock


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, api_key=API_KEY, scan_storage=None)


@pytest.fixture
def bus(settings: Settings, clock: MovableClock) -> Iterator[MessageBus]:
    bus = open_bus(settings, clock)
    yield bus
    bus.close()


def start_host(fixture_app: ModuleType, settings: Settings, bus: MessageBus,
               clock: MovableClock) -> LocalHost:
    host = LocalHost(fixture_app.app, settings, bus, clock,
                     servicebus=ServiceBusOptions(max_concurrent_calls=2, receive_wait_seconds=0.1))
    host.start(0)
    return host


@pytest.fixture
def host(fixture_app: ModuleType, settings: Settings, bus: MessageBus,
         clock: MovableClock) -> Iterator[LocalHost]:
    host = start_host(fixture_app, settings, bus, clock)
    yield host
    host.stop()


@pytest.fixture
def client(host: LocalHost) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{host.port}", timeout=10) as client:
        yield client


def test_an_http_function_gets_a_real_request_with_route_params_and_its_response_comes_back(client):
    response = client.post("/api/items/42?x=1", content=b"hello", headers={"x-test": "t"})
    assert response.status_code == 201
    assert response.headers["x-echo"] == "yes"
    assert response.headers["content-type"].startswith("application/json")
    seen = response.json()
    assert seen["method"] == "POST" and seen["id"] == "42" and seen["params"] == {"x": "1"}
    assert seen["header"] == "t" and seen["body"] == "hello"
    assert seen["url"].endswith("/api/items/42?x=1")


def test_unknown_routes_and_wrong_methods_are_404_as_the_functions_host_answers(client):
    assert client.get("/api/nothing/here").status_code == 404
    assert client.get("/elsewhere").status_code == 404
    assert client.delete("/api/items/1").status_code == 404  # not 405: azure-functions-host#10098
    assert client.get("/api/items/1").status_code == 201


def test_a_blocking_sync_function_does_not_hold_up_other_requests(client, fixture_app):
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(client.get, "/api/gate/wait", timeout=30)
        eventually(lambda: fixture_app.calls("wait_at_gate"))  # it is blocking now
        assert client.post("/api/gate/open").text == "opened"  # served while `wait` still blocks
        assert waiting.result().text == "released"


def test_the_root_redirects_to_the_web_page(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == "/api/ui"


def test_a_function_level_route_needs_the_key_in_the_header_or_the_code_parameter(client):
    assert client.get("/api/parties/p1/timeline").status_code == 401
    assert client.get("/api/parties/p1/timeline", headers={"x-functions-key": "wrong"}).status_code == 401
    ok = client.get("/api/parties/p1/timeline", headers={"x-functions-key": API_KEY})
    assert ok.status_code == 200 and ok.text == "timeline of p1"
    assert client.get(f"/api/parties/p2/timeline?code={API_KEY}").text == "timeline of p2"


def test_a_failing_function_answers_500_and_the_host_keeps_serving(client):
    assert client.get("/api/boom").status_code == 500
    assert client.get("/api/items/1").status_code == 201


def test_a_published_message_triggers_the_function_which_completes_it(host, bus, fixture_app):
    bus.publish("mail-notifications", [OutgoingMessage(
        b'{"n": 1}', "m-1", subject="mail", application_properties={"loket-attempt": 1})])
    (seen,) = eventually(lambda: fixture_app.calls("on_mail"))
    assert seen["message_id"] == "m-1" and seen["body"] == '{"n": 1}' and seen["is_trigger_type"]
    assert seen["delivery_count"] == 1 and seen["properties"] == {"loket-attempt": 1}
    assert seen["subject"] == seen["label"] == "mail" and seen["content_type"] == "application/json"
    assert seen["enqueued"] == START
    eventually(lambda: not bus.peek("mail-notifications") and not _locked(bus, "mail-notifications"))
    assert bus.peek("mail-notifications", dead_letter=True) == []


def test_an_exception_abandons_until_the_max_delivery_count_dead_letters_it(host, bus, fixture_app):
    bus.publish("mail-notifications", [OutgoingMessage(b"fail", "m-poison")])
    (dead,) = eventually(lambda: bus.peek("mail-notifications", dead_letter=True))
    assert dead.message_id == "m-poison" and dead.dead_letter_reason == MAX_DELIVERY_REASON
    assert [c["delivery_count"] for c in fixture_app.calls("on_mail")] == list(range(1, 11))


def test_actions_mode_dead_letters_at_once_with_the_given_reason(host, bus, fixture_app):
    bus.publish("contact-events", [OutgoingMessage(b"poison", "e-1", application_properties={"k": "v"})])
    (dead,) = eventually(lambda: bus.peek("contact-events/crm", dead_letter=True))
    assert dead.dead_letter_reason == "InvalidPayload" and dead.dead_letter_description == "not JSON"
    (seen,) = fixture_app.calls("on_contact")
    assert seen["type"] == "ServiceBusReceivedMessage" and seen["actions"] == "LocalMessageActions"
    assert seen["properties"] == {b"k": b"v"}  # bytes, as the SDK-type binding gives them in Azure


def test_actions_mode_completes_what_the_function_completes(host, bus, fixture_app):
    bus.publish("contact-events", [OutgoingMessage(b'{"ok": true}', "e-2")])
    eventually(lambda: fixture_app.calls("on_contact"))
    eventually(lambda: not bus.peek("contact-events/crm") and not _locked(bus, "contact-events/crm"))
    assert bus.peek("contact-events/crm", dead_letter=True) == []


def test_a_file_renamed_into_the_inbox_triggers_once_and_a_temp_file_never(
        host, fixture_app, settings, bus, clock):
    inbox = settings.data_dir / "post-inbox"
    partial = inbox / "a.pdf.tmp"
    partial.write_bytes(b"%PDF-half")
    _drop(inbox, "2026/b.pdf", b"%PDF-b")
    eventually(lambda: fixture_app.calls("on_letter"))
    partial.write_bytes(b"%PDF-a complete")
    os.replace(partial, inbox / "a.pdf")
    eventually(lambda: len(fixture_app.calls("on_letter")) == 2)
    seen = {c["name"]: c for c in fixture_app.calls("on_letter")}
    assert set(seen) == {"scanned-post/a.pdf", "scanned-post/2026/b.pdf"}
    letter = seen["scanned-post/a.pdf"]
    assert letter["data"] == b"%PDF-a complete" and letter["length"] == 15
    assert seen["scanned-post/a.pdf"]["uri"].startswith("file://")
    host.stop()
    restarted = start_host(fixture_app, settings, bus, clock)  # the receipts outlive the host
    try:
        _drop(inbox, "c.pdf", b"%PDF-c")
        eventually(lambda: len(fixture_app.calls("on_letter")) == 3)
        assert sorted(c["name"] for c in fixture_app.calls("on_letter")) == [
            "scanned-post/2026/b.pdf", "scanned-post/a.pdf", "scanned-post/c.pdf"]
    finally:
        restarted.stop()


def test_a_timer_fires_by_its_schedule_when_the_clock_moves(host, fixture_app, clock):
    assert fixture_app.calls("every_five_minutes") == []  # 12:00:30: the next run is 12:05:00
    clock.advance(dt.timedelta(minutes=4, seconds=30))
    (seen,) = eventually(lambda: fixture_app.calls("every_five_minutes"))
    assert seen == {"past_due": False, "is_timer": True}
    clock.advance(dt.timedelta(minutes=16))  # 12:21:00: three runs missed, one catch-up run
    eventually(lambda: len(fixture_app.calls("every_five_minutes")) == 2)
    assert fixture_app.calls("every_five_minutes")[1]["past_due"] is True


def test_a_missing_setting_in_a_binding_fails_at_start_naming_it(fixture_app, settings, bus, clock):
    import azure.functions as func

    from errors import ConfigurationError

    app = func.FunctionApp()

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="%NO_SUCH_QUEUE_SETTING%", connection="X")
    def orphan(msg: func.ServiceBusMessage) -> None: ...

    with pytest.raises(ConfigurationError) as caught:
        LocalHost(app, settings, bus, clock)
    assert caught.value.key == "NO_SUCH_QUEUE_SETTING"


def _drop(inbox: Path, name: str, data: bytes) -> None:
    """Write beside, then rename: how the post room (and design.md) delivers a letter."""
    target = inbox / name
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.part")
    temp.write_bytes(data)
    os.replace(temp, target)


def _locked(bus: MessageBus, entity: str) -> int:
    counts = {c.entity: c for c in bus.counts()}
    return counts[entity].active or 0


def test_a_long_call_keeps_its_lock_and_a_stop_lets_it_finish_and_complete(host, bus, fixture_app, clock):
    bus.publish("call-notifications", [OutgoingMessage(b"{}", "c-1")])
    eventually(lambda: fixture_app.calls("slow_call"))
    ((_, first_lock),) = host.servicebus.in_flight()
    clock.advance(dt.timedelta(seconds=45))  # past half of the one-minute lock: the host renews it
    eventually(lambda: host.servicebus.in_flight()[0][1] > first_lock)
    clock.advance(dt.timedelta(seconds=45))  # the first lock has expired by now; the renewed one holds
    assert bus.receive("call-notifications") == []
    stopping = threading.Thread(target=host.stop)
    stopping.start()
    fixture_app.RELEASE.set()
    stopping.join(30)
    assert not stopping.is_alive()
    assert [c["phase"] for c in fixture_app.calls("slow_call")] == ["started", "finished"]
    assert bus.peek("call-notifications") == [] and bus.peek("call-notifications", dead_letter=True) == []


AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE_BIN = Path(__file__).resolve().parents[2] / "node_modules/.bin/azurite-blob"  # `npm install azurite`


@pytest.fixture
def azurite(tmp_path: Path) -> Iterator[str]:
    """Azurite's blob service on a free port (installed by .ci/run; skipped when it is not there)."""
    installed = str(AZURITE_BIN) if AZURITE_BIN.exists() else shutil.which("azurite-blob")
    binary = os.environ.get("AZURITE_BLOB") or installed
    if not binary:
        pytest.skip("Azurite is not installed (npm install --no-save azurite@3.35.0, as .ci/run does)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(  # noqa: S603 - our own test dependency
        [binary, "--silent", "--skipApiVersionCheck", "--blobHost", "127.0.0.1", "--blobPort", str(port),
         "--location", str(tmp_path / "azurite")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        eventually(lambda: _listening(port), within=30)
        yield (f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"
               f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;")
    finally:
        process.kill()  # Azurite lingers for seconds on SIGTERM; its data is a tmp dir anyway
        process.wait(10)


def test_with_scan_storage_set_a_blob_uploaded_to_azurite_triggers_once(
        azurite, fixture_app, tmp_path, bus, clock):
    from azure.storage.blob import BlobServiceClient

    settings = Settings(data_dir=tmp_path, api_key=API_KEY, scan_storage=azurite)
    container = BlobServiceClient.from_connection_string(azurite).get_container_client("scanned-post")
    container.create_container()
    host = start_host(fixture_app, settings, bus, clock)
    try:
        container.upload_blob("2026/a.pdf", b"%PDF-azurite")
        (seen,) = eventually(lambda: fixture_app.calls("on_letter"))
        assert seen["name"] == "scanned-post/2026/a.pdf" and seen["data"] == b"%PDF-azurite"
        assert seen["uri"].endswith("/devstoreaccount1/scanned-post/2026/a.pdf")
    finally:
        host.stop()
    restarted = start_host(fixture_app, settings, bus, clock)
    try:
        container.upload_blob("b.pdf", b"%PDF-b")
        eventually(lambda: len(fixture_app.calls("on_letter")) == 2)
        names = [c["name"] for c in fixture_app.calls("on_letter")]
        assert names == ["scanned-post/2026/a.pdf", "scanned-post/b.pdf"]
    finally:
        restarted.stop()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_a_function_on_an_entity_the_bus_lacks_fails_at_start_naming_it(settings, bus, clock):
    import azure.functions as func

    from handlers.ports.bus import UnknownEntityError

    app = func.FunctionApp()

    @app.service_bus_queue_trigger(arg_name="msg", queue_name="no-such-queue", connection="X")
    def stray(msg: func.ServiceBusMessage) -> None: ...

    with pytest.raises(UnknownEntityError, match="stray"):
        LocalHost(app, settings, bus, clock)


def test_serve_answers_until_sigterm_then_stops_cleanly(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "LOKET_DATA_DIR": str(tmp_path), "LOKET_API_KEY": API_KEY}
    process = subprocess.Popen(  # noqa: S603 - our own fixture script
        [sys.executable, str(FIXTURE_APP.with_name("serve_fixture.py")), str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        eventually(lambda: _listening(port), within=60)
        assert httpx.get(f"http://127.0.0.1:{port}/api/items/7", timeout=10).json()["id"] == "7"
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
    assert process.returncode == 0 and "stopped cleanly" in out
