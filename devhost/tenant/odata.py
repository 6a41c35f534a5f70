"""OData bits the simulated tenant speaks: errors, $select, $expand, simple $filter, clock and ids."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
import uuid
from pathlib import Path

from starlette.responses import JSONResponse

TENANT_ID = "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b"  # the sample city (design.md)
APP_ID = "3c9b6e1a-7d2f-4a8e-9b1c-000000007072"  # the simulated Loket app registration


def error(status: int, code: str, message: str, headers: dict | None = None) -> JSONResponse:
    """Graph's error body: {"error": {"code", "message", "innerError": {...}}}."""
    body = {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": iso(now()),
                "request-id": str(uuid.uuid4()),
                "client-request-id": str(uuid.uuid4()),
            },
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


CLOCK_FILE = "clock.json"  # the movable test clock every Loket process reads (adapters/clock.py format)
_clock_path: Path | None = None


def use_clock_file(data_dir: Path) -> None:
    """Read time as `<data dir>/clock.json` says (offset or frozen instant), like the host does.

    One tenant per process: the path is process-wide. No file: the system clock.
    """
    global _clock_path
    _clock_path = Path(data_dir) / CLOCK_FILE


def now() -> dt.datetime:
    state = {}
    if _clock_path is not None:
        try:
            state = json.loads(_clock_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            state = {}
    if state.get("frozen") is not None:
        return dt.datetime.fromtimestamp(float(state["frozen"]), dt.UTC)
    return dt.datetime.fromtimestamp(time.time() + float(state.get("offset") or 0.0), dt.UTC)


def iso(value: dt.datetime, digits: int = 0) -> str:
    """Graph-style UTC timestamp (`Z`), with `digits` fractional digits (Graph uses 0 or 7)."""
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if digits:
        text += "." + f"{value.microsecond:06d}0"[:digits]
    return text + "Z"


def parse_time(text: str) -> dt.datetime:
    text = text.strip().replace("Z", "+00:00")
    if "." in text:  # Graph sends up to 7 fractional digits; Python reads 6
        head, rest = text.split(".", 1)
        digits = re.match(r"\d*", rest).group(0)
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest[len(digits) :]}"
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def new_item_id(prefix: str = "AAMkAGI2") -> str:
    """An Exchange-looking id: base64 with `=` padding and `-`/`_` (callers must URL-encode it)."""
    raw = uuid.uuid4().bytes + uuid.uuid4().bytes[:7]
    return prefix + base64.urlsafe_b64encode(raw).decode("ascii")


def select_fields(value: str | None) -> list[str] | None:
    """`$select=a,b` -> ["a", "b"]; None when absent."""
    if not value:
        return None
    return [f.strip() for f in value.split(",") if f.strip()]


def split_top(text: str) -> list[str]:
    """Split on commas outside parentheses: `sessions($expand=segments),participants_v2`."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        depth += (ch == "(") - (ch == ")")
        current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def parse_expand(value: str | None) -> dict[str, list[str]]:
    """`sessions($expand=segments),participants_v2` -> {"sessions": ["segments"], "participants_v2": []}."""
    result: dict[str, list[str]] = {}
    for part in split_top(value or ""):
        match = re.fullmatch(r"([A-Za-z_0-9]+)(?:\((.*)\))?", part)
        if not match:
            raise ValueError(part)
        inner = match.group(2) or ""
        nested = re.fullmatch(r"\$expand=(.*)", inner.strip())
        result[match.group(1)] = list(parse_expand(nested.group(1))) if nested else []
    return result


_CLAUSE = re.compile(r"\s*(\w+)\s+(ge|gt|le|lt|eq)\s+(\S+)\s*", re.IGNORECASE)
_OPS = {
    "ge": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "le": lambda a, b: a <= b,
    "lt": lambda a, b: a < b,
    "eq": lambda a, b: a == b,
}


def time_filter(value: str | None, field: str) -> list[tuple[str, dt.datetime]]:
    """`startDateTime ge T and startDateTime lt T2` -> [(op, T), ...]; ValueError on anything else."""
    clauses = []
    for part in re.split(r"\s+and\s+", value or "", flags=re.IGNORECASE) if value else []:
        match = _CLAUSE.fullmatch(part)
        if not match or match.group(1) != field:
            raise ValueError(part)
        clauses.append((match.group(2).lower(), parse_time(match.group(3).strip("'"))))
    return clauses


def passes(value: dt.datetime, clauses: list[tuple[str, dt.datetime]]) -> bool:
    return all(_OPS[op](value, bound) for op, bound in clauses)
