"""The event archive in Blob Storage, against Azurite: one object per event id and version, merges,
deletes, and the same replay as the local folder (bootstrap picks it when ScanStorage is set)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from azure.storage.blob import ContainerClient

import bootstrap
from adapters.archive.blob_archive import BlobArchive
from adapters.clock import MovableClock
from adapters.jobs_blob import BlobJobStore
from adapters.store.migrate import upgrade
from errors import TransientError
from handlers.replay_jobs import create_job, run_job
from schemas.ops import ReplayRequest
from settings import Settings
from tests.contract.store_backends import T0, event

AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE_BIN = Path(__file__).resolve().parents[2] / "node_modules/.bin/azurite-blob"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def azurite() -> Iterator[str]:
    """Azurite's blob service, in memory, on a free port (installed into node_modules by .ci/run)."""
    installed = str(AZURITE_BIN) if AZURITE_BIN.exists() else shutil.which("azurite-blob")
    binary = os.environ.get("AZURITE_BLOB") or installed
    if not binary:
        pytest.skip("Azurite is not installed (npm install --no-save azurite@3.35.0, as .ci/run does)")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own test dependency
        [
            binary,
            "--silent",
            "--skipApiVersionCheck",
            "--inMemoryPersistence",
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            if _listening(port) or process.poll() is not None:
                break
            time.sleep(0.1)
        assert _listening(port), "Azurite did not start"
        yield (
            f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
        )
    finally:
        process.kill()
        process.wait(10)


@pytest.fixture
def archive(azurite, request) -> BlobArchive:
    container = f"archive-{abs(hash(request.node.name)) % 10**8}"
    built = BlobArchive.from_settings(Settings(ScanStorage=azurite), container=container)
    built.ensure_container()
    return built


def test_archiving_twice_changes_nothing_and_a_second_mailbox_merges(archive):
    first = event("m1", channel="mail", departments=("Onthaal",), mailboxes=("info@stad.example",))
    second = event("m1", channel="mail", departments=("Financiën",), mailboxes=("financien@stad.example",))
    assert archive.put(first) is True
    assert archive.put(first) is False
    assert archive.put(second) is True
    (stored,) = archive.events()
    assert stored.departments == ("Onthaal", "Financiën")
    assert stored.source.mailboxes == ("info@stad.example", "financien@stad.example")


def test_each_version_is_its_own_object_and_delete_removes_them_all(archive):
    archive.put(event("c1", version=1))
    archive.put(event("c1", version=2))
    archive.put(event("c2"))
    assert sorted((e.source.id, e.source.version) for e in archive.events()) == [
        ("c1", 1),
        ("c1", 2),
        ("c2", 1),
    ]
    assert archive.delete([event("c1").event_id]) == 2
    assert [e.source.id for e in archive.events()] == ["c2"]


def test_an_unreachable_storage_is_a_transient_error():
    port = _free_port()  # nothing listens here
    conn = (
        f"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AZURITE_KEY};"
        f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
    )
    unreachable = BlobArchive(ContainerClient.from_connection_string(conn, "event-archive", retry_total=0))
    with pytest.raises(TransientError):
        unreachable.put(event("c1"))


def test_with_scan_storage_set_the_archive_replay_and_its_job_live_in_blob_storage(azurite, tmp_path):
    settings = Settings(LOKET_DATA_DIR=tmp_path, ScanStorage=azurite)
    upgrade(settings.database_url)
    services = bootstrap.build(settings, clock=MovableClock.install(tmp_path))
    try:
        assert isinstance(services.archive, BlobArchive)
        services.archive.ensure_container()
        services.archive.put(event("c1", at=T0))
        deps = services.replay_deps()
        job = run_job(create_job(ReplayRequest(kind="archive", since=T0), "tester", deps), deps)
        assert (job.status, job.resubmitted) == ("done", 1)
        assert len(services.bus.peek("contact-events/crm")) == 1
        assert isinstance(services.jobs, BlobJobStore)  # the command and every instance read one record
        assert services.jobs.get(job.id) == job
        assert [j.id for j in services.jobs.recent()] == [job.id]
        assert services.jobs.get("../x") is None and services.jobs.get("0" * 16) is None
    finally:
        services.close()


def test_a_scan_in_blob_storage_is_dated_by_its_creation_time_and_an_absent_one_is_none(azurite):
    import datetime as dt

    from adapters.blobs.azure_container import AzureScanBlobs

    container = ContainerClient.from_connection_string(azurite, f"scans-{time.time_ns() % 10**8}")
    container.create_container()
    before = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=2)
    container.upload_blob("onthaal/brief.pdf", b"%PDF-1.4 scan")
    arrived = AzureScanBlobs(container).arrived("onthaal/brief.pdf")
    assert arrived.tzinfo is not None
    assert before <= arrived <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    assert AzureScanBlobs(container).arrived("onthaal/nergens.pdf") is None
