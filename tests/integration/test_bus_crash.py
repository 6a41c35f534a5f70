"""A consumer killed with SIGKILL loses nothing: its locked messages come back after the lock expires."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from adapters.bus import open_bus
from adapters.clock import MovableClock
from handlers.ports.bus import OutgoingMessage
from settings import PROJECT_ROOT, Settings

QUEUE = "mail-notifications"

# The consumer: its own process, its own bus object, the clock read from the shared data dir.
CONSUMER = r"""
import json, os, sys, time
from pathlib import Path
from adapters.bus import open_bus
from settings import Settings

data_dir, mode, log_path = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
bus = open_bus(Settings(LOKET_DATA_DIR=str(data_dir)))
log = open(log_path, "a", buffering=1)

def record(m):
    log.write(json.dumps({"id": m.message_id, "count": m.delivery_count}) + "\n")
    os.fsync(log.fileno())

if mode == "hold":          # take a batch, finish three, then hang mid-batch until killed
    batch = bus.receive("mail-notifications", max_messages=10)
    for m in batch[:3]:
        record(m)
        bus.complete(m)
    (data_dir / "holding").write_text(str(len(batch)))
    time.sleep(600)
elif mode == "churn":       # work as fast as possible until killed, at any point of a transaction
    while True:
        for m in bus.receive("mail-notifications", max_messages=4):
            record(m)       # before completing: a kill in between duplicates, never loses
            bus.complete(m)
else:                       # drain: finish whatever is there
    while batch := bus.receive("mail-notifications", max_messages=10):
        for m in batch:
            record(m)
            bus.complete(m)
"""


def run_consumer(data_dir: Path, mode: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CONSUMER, str(data_dir), mode, str(log)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )


def wait_for(condition, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "the consumer died before it got going"
        assert time.monotonic() < deadline, "the consumer never got going"
        time.sleep(0.02)


def logged(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def publish(data_dir: Path, count: int) -> tuple[set[str], object]:
    bus = open_bus(Settings(LOKET_DATA_DIR=str(data_dir)))
    ids = {f"msg-{i:03d}" for i in range(count)}
    bus.publish(QUEUE, [OutgoingMessage(b"{}", message_id=i) for i in sorted(ids)])
    return ids, bus


def test_a_consumer_killed_mid_batch_loses_nothing_and_its_messages_are_completed_once(
    tmp_path: Path,
) -> None:
    clock = MovableClock.install(tmp_path)
    ids, bus = publish(tmp_path, 20)
    first_log, second_log = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    consumer = run_consumer(tmp_path, "hold", first_log)
    wait_for((tmp_path / "holding").exists, consumer)
    os.kill(consumer.pid, signal.SIGKILL)
    consumer.wait(timeout=10)

    untouched = bus.receive(QUEUE, max_messages=20)
    assert len(untouched) == 10  # the seven still locked by the dead consumer stay invisible
    for m in untouched:
        bus.complete(m)
    assert bus.receive(QUEUE) == []

    clock.advance(bus.topology.policy.lock_duration.total_seconds() + 1)  # for every process at once
    drainer = run_consumer(tmp_path, "drain", second_log)
    assert drainer.wait(timeout=60) == 0
    redelivered = logged(second_log)
    assert len(redelivered) == 7 and all(r["count"] == 2 for r in redelivered)
    completed = (
        [r["id"] for r in logged(first_log)]
        + [m.message_id for m in untouched]
        + [r["id"] for r in redelivered]
    )
    assert sorted(completed) == sorted(ids)  # every message, each exactly once
    queue = next(c for c in bus.counts() if c.entity == QUEUE)
    assert (queue.active, queue.dead_lettered) == (0, 0)


def test_a_consumer_killed_at_any_moment_leaves_a_consistent_bus_and_no_message_lost(tmp_path: Path) -> None:
    clock = MovableClock.install(tmp_path)
    ids, bus = publish(tmp_path, 200)
    churn_log, drain_log = tmp_path / "churn.jsonl", tmp_path / "drain.jsonl"
    consumer = run_consumer(tmp_path, "churn", churn_log)
    wait_for(lambda: len(logged(churn_log)) >= 40, consumer)
    os.kill(consumer.pid, signal.SIGKILL)
    consumer.wait(timeout=10)

    clock.advance(bus.topology.policy.lock_duration.total_seconds() + 1)
    drainer = run_consumer(tmp_path, "drain", drain_log)
    assert drainer.wait(timeout=60) == 0
    seen = [r["id"] for r in logged(churn_log)] + [r["id"] for r in logged(drain_log)]
    assert set(seen) == ids  # nothing lost
    assert len(seen) - len(ids) <= 4  # at most the batch in flight at the kill is done twice
    queue = next(c for c in bus.counts() if c.entity == QUEUE)
    assert (queue.active, queue.dead_lettered) == (0, 0)


def test_two_consumer_processes_share_a_queue_and_never_get_the_same_message(tmp_path: Path) -> None:
    ids, bus = publish(tmp_path, 300)
    logs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    consumers = [run_consumer(tmp_path, "drain", log) for log in logs]
    assert [c.wait(timeout=60) for c in consumers] == [0, 0]
    seen = [r["id"] for log in logs for r in logged(log)]
    assert sorted(seen) == sorted(ids)  # all of them, none twice: a lock is taken by one process only
    assert all(r["count"] == 1 for log in logs for r in logged(log))
