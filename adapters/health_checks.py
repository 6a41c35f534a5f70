"""Cheap reachability checks for GET /api/health: each answers "ok" or the error's class, never a secret."""
from __future__ import annotations

import functools

import httpx
from sqlalchemy import text


def check_bus(bus) -> str:
    try:
        bus.counts()
    except Exception as exc:  # noqa: BLE001 - health reports any failure by its class
        return f"error: {type(exc).__name__}"
    return "ok"


def check_store(store) -> str:
    try:
        with store.engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok"


def check_graph(base_url: str, timeout: float = 2.0) -> str:
    """Graph answers any HTTP status to an unauthenticated GET; only no answer at all is unreachable."""
    try:
        _client().get(base_url.rstrip("/") + "/$metadata", timeout=timeout)
    except httpx.HTTPError as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


def check_letters(failure_log) -> str:
    """`ok`, or `attention: N unreadable` while scanned letters wait for `loket replay letters`."""
    try:
        count = len(failure_log.open_letter_failures())
    except Exception as exc:  # noqa: BLE001
        return f"error: {type(exc).__name__}"
    return "ok" if count == 0 else f"attention: {count} unreadable"


@functools.cache
def _client() -> httpx.Client:
    """One client for every health check: a new one builds an SSL context each time (about 0.3 s),
    which made /api/health slow on a busy machine (issue 15 wants it under a second, always)."""
    return httpx.Client()
