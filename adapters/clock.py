"""Clock adapters: the system clock, and a movable clock every process on the data dir reads alike."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

from handlers.ports.clock import Clock

CLOCK_FILE = "clock.json"


class SystemClock:
    """Real UTC time: the default everywhere outside tests."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


class MovableClock:
    """Real time plus an offset (or a frozen instant) kept in `<data dir>/clock.json`.

    The file is re-read on every `now()`, so moving the clock in a test moves it for the host, the
    `loket` command and any consumer process at once. Time keeps flowing unless frozen.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / CLOCK_FILE

    @classmethod
    def install(cls, data_dir: Path) -> MovableClock:
        """Create the file (offset 0) so that `default_clock` picks the movable clock in every process."""
        clock = cls(data_dir)
        if not clock.path.exists():
            clock._write({"offset": 0.0, "frozen": None})
        return clock

    def now(self) -> dt.datetime:
        state = self._read()
        if state["frozen"] is not None:
            return _from_epoch(state["frozen"])
        return _from_epoch(time.time() + state["offset"])

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))

    def advance(self, delta: dt.timedelta | float) -> dt.datetime:
        """Move time forward (seconds or a timedelta) for every process; returns the new now."""
        seconds = delta.total_seconds() if isinstance(delta, dt.timedelta) else float(delta)
        state = self._read()
        if state["frozen"] is not None:
            state["frozen"] += seconds
        else:
            state["offset"] += seconds
        self._write(state)
        return self.now()

    def freeze(self, at: dt.datetime | None = None) -> None:
        """Stop time at `at` (default: now) until `advance` moves it or `thaw` lets it flow."""
        self._write({**self._read(), "frozen": (at or self.now()).timestamp()})

    def thaw(self) -> None:
        """Let time flow again from where it stands."""
        current = self.now().timestamp()
        self._write({"offset": current - time.time(), "frozen": None})

    def _read(self) -> dict:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"offset": 0.0, "frozen": None}
        return {"offset": float(state.get("offset", 0.0)), "frozen": state.get("frozen")}

    def _write(self, state: dict) -> None:
        """Write beside, then rename: a reader never sees half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{CLOCK_FILE}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, self.path)


def default_clock(data_dir: Path) -> Clock:
    """The movable clock when a test installed one in this data dir, else the system clock."""
    if (Path(data_dir) / CLOCK_FILE).exists():
        return MovableClock(data_dir)
    return SystemClock()


def _from_epoch(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)
