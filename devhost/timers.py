"""Timer triggers for the local host: NCRONTAB schedules (six fields, seconds first) read off a Clock."""
from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, wait
from dataclasses import dataclass
from typing import Any, Protocol

from azure.functions.timer import TimerRequest
from croniter import croniter

from devhost.function_index import IndexedFunction, TimerSpec

log = logging.getLogger(__name__)

_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$")
POLL_SECONDS = 0.5  # how often a moved clock is noticed


class NowClock(Protocol):
    """The part of the Clock port (handlers/ports/clock.py) the timers need."""

    def now(self) -> dt.datetime: ...


class NcrontabSchedule:
    """An Azure Functions schedule: `{second} {minute} {hour} {day} {month} {day-of-week}`, in UTC.

    croniter reads a sixth field as seconds-LAST by default, which turns `0 */5 * * * *` into
    'every second of minute 0'; `second_at_beginning=True` gives the NCRONTAB order. The TimeSpan form
    (`hh:mm:ss`, App Service plans) is an interval counted from the start of the day.
    """

    def __init__(self, expression: str) -> None:
        self.expression = expression.strip()
        self._interval = _timespan(self.expression)
        if self._interval is None:
            if len(self.expression.split()) != 6:
                raise ValueError(f"NCRONTAB needs six fields (seconds first), got {self.expression!r}")
            if not croniter.is_valid(self.expression, second_at_beginning=True):
                raise ValueError(f"not a valid NCRONTAB expression: {self.expression!r}")

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first occurrence strictly after `moment` (aware, UTC)."""
        moment = moment.astimezone(dt.UTC)
        if self._interval is not None:
            midnight = moment.replace(hour=0, minute=0, second=0, microsecond=0)
            steps = (moment - midnight) // self._interval + 1
            return midnight + steps * self._interval
        return croniter(self.expression, moment, second_at_beginning=True).get_next(dt.datetime)


def _timespan(expression: str) -> dt.timedelta | None:
    match = _TIMESPAN.match(expression)
    if not match:
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    interval = dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if interval <= dt.timedelta(0):
        raise ValueError(f"a TimeSpan schedule must be positive, got {expression!r}")
    return interval


@dataclass
class _Timer:
    function: IndexedFunction
    schedule: NcrontabSchedule
    next_due: dt.datetime
    last: dt.datetime | None = None
    running: Future[Any] | None = None


class TimerRunner:
    """Fires each timer function when the clock passes its next occurrence.

    Like the Functions host: one run per timer at a time (a still-running timer skips its turn),
    one catch-up run with `past_due=True` however many occurrences were missed, `run_on_startup` once.
    """

    def __init__(self, functions: list[IndexedFunction], clock: NowClock, executor: Executor,
                 invoke: Callable[[IndexedFunction, dict[str, Any]], Any]) -> None:
        self._clock, self._executor, self._invoke = clock, executor, invoke
        now = clock.now()
        self._timers = [self._timer(f, now) for f in functions]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @staticmethod
    def _timer(function: IndexedFunction, now: dt.datetime) -> _Timer:
        spec = function.trigger
        assert isinstance(spec, TimerSpec)
        schedule = NcrontabSchedule(spec.schedule)
        return _Timer(function, schedule, schedule.next_after(now))

    def start(self) -> None:
        for timer in self._timers:
            if isinstance(timer.function.trigger, TimerSpec) and timer.function.trigger.run_on_startup:
                self._fire(timer, self._clock.now(), past_due=False)
        self._thread = threading.Thread(target=self._loop, name="devhost-timers", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        for timer in self._timers:
            if timer.running is not None:  # finish what runs: a timer's work is not dropped half-way
                wait([timer.running], timeout)

    def tick(self) -> int:
        """Fire every due timer once; returns how many fired (the loop calls this; tests may too)."""
        now = self._clock.now()
        fired = 0
        for timer in self._timers:
            if timer.next_due > now:
                continue
            if timer.running is not None and not timer.running.done():
                continue  # singleton: the previous run still works; fire when it is done
            past_due = timer.schedule.next_after(timer.next_due) <= now
            self._fire(timer, now, past_due=past_due, scheduled=timer.next_due)
            timer.next_due = timer.schedule.next_after(now)
            fired += 1
        return fired

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a broken tick must not end every timer
                log.exception("timer tick failed")
            self._stop.wait(POLL_SECONDS)

    def _fire(self, timer: _Timer, now: dt.datetime, *, past_due: bool,
              scheduled: dt.datetime | None = None) -> None:
        request = TimerRequest(
            past_due=past_due,
            schedule_status={
                "Last": (timer.last or now).isoformat(),
                "Next": timer.schedule.next_after(now).isoformat(),
                "LastUpdated": now.isoformat(),
            },
            schedule={"AdjustForDST": True},
        )
        timer.last = scheduled or now
        log.info("timer %s fires (past due: %s)", timer.function.name, past_due,
                 extra={"function": timer.function.name})
        arguments = {timer.function.trigger_arg: request}
        timer.running = self._executor.submit(self._invoke, timer.function, arguments)
