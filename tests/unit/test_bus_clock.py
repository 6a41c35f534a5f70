"""The movable clock: one time for every process that opens the same data dir."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from adapters.clock import MovableClock, SystemClock, default_clock


def test_a_moved_clock_is_seen_by_a_second_clock_on_the_same_data_dir(tmp_path: Path) -> None:
    mover = MovableClock.install(tmp_path)
    reader = default_clock(tmp_path)
    assert isinstance(reader, MovableClock)
    before = reader.now()
    mover.advance(dt.timedelta(hours=2))
    assert reader.now() - before >= dt.timedelta(hours=2)
    assert reader.now().tzinfo == dt.UTC


def test_a_frozen_clock_stands_still_until_advanced_and_flows_after_thaw(tmp_path: Path) -> None:
    clock = MovableClock.install(tmp_path)
    at = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
    clock.freeze(at)
    assert MovableClock(tmp_path).now() == at
    assert clock.advance(90) == at + dt.timedelta(seconds=90)
    clock.thaw()
    assert clock.now() >= at + dt.timedelta(seconds=90)


def test_without_an_installed_clock_every_process_uses_system_time(tmp_path: Path) -> None:
    assert isinstance(default_clock(tmp_path), SystemClock)
    assert abs(SystemClock().now() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)
