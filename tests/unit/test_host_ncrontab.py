"""Timer schedules read as NCRONTAB (seconds first), and the timer runner's firing rules."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import Future
from typing import Any

import azure.functions as func
import pytest

from devhost.function_index import index_app
from devhost.timers import NcrontabSchedule, TimerRunner
from settings import Settings

UTC = dt.UTC
T0 = dt.datetime(2026, 11, 28, 12, 0, 30, tzinfo=UTC)


def occurrences(expression: str, start: dt.datetime, n: int) -> list[dt.datetime]:
    schedule, out, at = NcrontabSchedule(expression), [], start
    for _ in range(n):
        at = schedule.next_after(at)
        out.append(at)
    return out


def test_every_five_minutes_fires_every_five_minutes_not_every_second():
    assert occurrences("0 */5 * * * *", T0, 3) == [
        T0.replace(minute=5, second=0), T0.replace(minute=10, second=0), T0.replace(minute=15, second=0)]


def test_the_first_field_is_seconds():
    assert occurrences("*/10 * * * * *", T0, 2) == [T0.replace(second=40), T0.replace(second=50)]


def test_weekday_and_hour_fields_are_in_ncrontab_order():
    # 2026-11-28 is a Saturday: the next weekday 09:30:00 is Monday 30 November
    (first,) = occurrences("0 30 9 * * 1-5", T0, 1)
    assert first == dt.datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


def test_a_timespan_schedule_counts_from_midnight():
    assert occurrences("00:05:00", T0, 2) == [T0.replace(minute=5, second=0), T0.replace(minute=10, second=0)]


@pytest.mark.parametrize("expression", ["*/5 * * * *", "0 */5 * * * * *", "0 61 * * * *", "00:00:00"])
def test_wrong_schedules_are_refused(expression):
    with pytest.raises(ValueError):
        NcrontabSchedule(expression)


class FakeClock:
    def __init__(self, now: dt.datetime) -> None:
        self.at = now

    def now(self) -> dt.datetime:
        return self.at


class InlineExecutor:
    """Runs submitted work at once, so the test sees each firing as it happens."""

    def submit(self, fn: Any, *args: Any) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future


def runner(clock: FakeClock, schedule: str = "0 */5 * * * *", run_on_startup: bool = False):
    app = func.FunctionApp()
    fired: list[func.TimerRequest] = []

    @app.timer_trigger(arg_name="timer", schedule=schedule, run_on_startup=run_on_startup)
    def tick(timer: func.TimerRequest) -> None: ...

    functions = list(index_app(app, Settings()).values())
    return TimerRunner(functions, clock, InlineExecutor(), lambda f, args: fired.append(args["timer"])), fired


def test_a_timer_fires_once_when_its_time_comes_and_not_before():
    clock = FakeClock(T0)
    timers, fired = runner(clock)
    clock.at = T0.replace(minute=4, second=59)
    assert timers.tick() == 0
    clock.at = T0.replace(minute=5, second=0)
    assert timers.tick() == 1 and timers.tick() == 0
    assert isinstance(fired[0], func.TimerRequest) and fired[0].past_due is False


def test_missed_runs_give_one_catch_up_run_marked_past_due():
    clock = FakeClock(T0)
    timers, fired = runner(clock)
    clock.at = T0.replace(minute=21)
    assert timers.tick() == 1 and timers.tick() == 0
    assert fired[0].past_due is True
    clock.at = T0.replace(minute=25, second=0)
    assert timers.tick() == 1 and fired[1].past_due is False


def test_run_on_startup_fires_at_start():
    clock = FakeClock(T0)
    timers, fired = runner(clock, run_on_startup=True)
    timers.start()
    timers.stop(timeout=5)
    assert len(fired) == 1 and fired[0].past_due is False
