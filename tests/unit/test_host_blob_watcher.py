"""The post-inbox blob trigger: stable files only, once per version, retried with back-off, then poison."""
from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import azure.functions as func
import pytest

from devhost.blob_watcher import BACKOFF_SECONDS, MAX_ATTEMPTS, BlobWatcher, Receipts, blob_pattern
from devhost.function_index import BlobSpec, index_app
from devhost.host_blob_sources import InboxSource, ignored
from settings import Settings

T0 = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)


class FakeClock:
    def __init__(self) -> None:
        self.at = T0

    def now(self) -> dt.datetime:
        return self.at


class InlineExecutor:
    def submit(self, fn: Any, *args: Any) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def shutdown(self, wait: bool = True) -> None:
        pass


@pytest.fixture
def seen() -> list[func.InputStream]:
    return []


@pytest.fixture
def watcher(tmp_path: Path, seen) -> BlobWatcher:
    app = func.FunctionApp()

    @app.blob_trigger(arg_name="blob", path="scanned-post/{name}.pdf", connection="ScanStorage")
    def letter(blob: func.InputStream) -> None:
        seen.append(blob)
        if blob.read().startswith(b"FAIL"):
            raise ValueError("unreadable")

    function = index_app(app, Settings())["letter"]
    source = InboxSource(tmp_path / "post-inbox", "scanned-post")
    receipts = Receipts(tmp_path / "receipts.db")
    return BlobWatcher(function, source, receipts, FakeClock(), executor=InlineExecutor())


def drop(watcher: BlobWatcher, name: str, data: bytes) -> None:
    path = Path(watcher.source.folder) / name  # type: ignore[attr-defined]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_name(path.name + ".tmp").write_bytes(data)
    os.replace(path.with_name(path.name + ".tmp"), path)


def test_a_blob_triggers_once_it_stands_still_and_only_once(watcher, seen):
    drop(watcher, "a.pdf", b"%PDF-1.7 a")
    assert watcher.scan() == 0  # first sighting: it might still be growing
    assert watcher.scan() == 1 and watcher.scan() == 0
    (blob,) = seen
    assert isinstance(blob, func.InputStream) and blob.name == "scanned-post/a.pdf" and blob.length == 10


def test_only_names_matching_the_path_pattern_trigger(watcher, seen):
    drop(watcher, "a.pdf.json", b"{}")
    drop(watcher, "b.pdf", b"%PDF")
    watcher.scan()
    watcher.scan()
    assert [b.name for b in seen] == ["scanned-post/b.pdf"]


def test_a_failing_blob_is_retried_with_back_off_then_reported_as_poison(watcher, seen):
    drop(watcher, "bad.pdf", b"FAIL")
    watcher.scan()
    assert watcher.scan() == 1
    for delay in BACKOFF_SECONDS[: MAX_ATTEMPTS - 1]:
        assert watcher.scan() == 0  # not due yet
        watcher.clock.at += dt.timedelta(seconds=delay)  # type: ignore[attr-defined]
        assert watcher.scan() == 1
    watcher.clock.at += dt.timedelta(days=1)  # type: ignore[attr-defined]
    assert watcher.scan() == 0
    assert len(seen) == MAX_ATTEMPTS
    (failure,) = watcher.receipts.failures()
    assert (failure.name, failure.status, failure.error) == ("bad.pdf", "poison", "ValueError")
    assert failure.attempts == MAX_ATTEMPTS


def test_receipts_survive_a_restart_and_a_new_version_triggers_again(watcher, seen, tmp_path):
    drop(watcher, "a.pdf", b"%PDF one")
    watcher.scan()
    watcher.scan()
    watcher.receipts.close()
    again = BlobWatcher(watcher.function, watcher.source, Receipts(tmp_path / "receipts.db"), FakeClock(),
                        executor=InlineExecutor())
    again.scan()
    assert again.scan() == 0 and len(seen) == 1
    drop(watcher, "a.pdf", b"%PDF two, longer")
    again.scan()
    assert again.scan() == 1 and len(seen) == 2


@pytest.mark.parametrize("name", ["a.pdf.tmp", ".a.pdf", "x/.hidden/a.pdf", "a.pdf.part", "~$a.pdf"])
def test_temporary_and_hidden_names_are_ignored(name):
    assert ignored(name)


def test_a_pattern_variable_may_span_folders():
    pattern = blob_pattern(BlobSpec("scanned-post/{name}.pdf", "scanned-post", None, None))
    assert pattern.fullmatch("2026/11/a.pdf").group("name") == "2026/11/a"
    assert pattern.fullmatch("a.pdf.json") is None
