"""JSON from outside with a depth limit: too deep is malformed input, never a RecursionError or a 500.

Python's json module recurses once per nesting level; a body of 100,000 `[` raises RecursionError,
which no caller expects (issue 15). Graph's notifications, sidecars and Loket's own messages are a
few levels deep; MAX_JSON_DEPTH leaves ample room.
"""
from __future__ import annotations

import json
from typing import Any

from errors import PermanentError

MAX_JSON_DEPTH = 64
MALFORMED = "MalformedPayload"


class JsonTooDeep(PermanentError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels", reason=MALFORMED)


def loads_bounded(raw: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads`, refusing nesting deeper than `max_depth` with JsonTooDeep (a PermanentError).

    json.JSONDecodeError and UnicodeDecodeError pass through as json.loads raises them.
    """
    try:
        value = json.loads(raw)
    except RecursionError:
        raise JsonTooDeep(max_depth) from None
    if not depth_within(value, max_depth):
        raise JsonTooDeep(max_depth)
    return value


def depth_within(value: Any, max_depth: int = MAX_JSON_DEPTH) -> bool:
    """Whether no object or array is nested deeper than `max_depth` (iterative: no recursion itself)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > max_depth:
                    return False
                stack.append((child, depth + 1))
    return True
