"""A message delta page read into items, removed ids and the link to follow (graph-contracts.md §5.2)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from errors import PermanentError
from schemas.graph_message import GraphMessage, parse_message


@dataclass(frozen=True)
class DeltaPage:
    """One page: follow `next_link` until a page carries `delta_link`; store that URL as-is for next round."""

    items: tuple[GraphMessage, ...]
    removed_ids: tuple[str, ...]
    next_link: str | None
    delta_link: str | None

    @property
    def round_complete(self) -> bool:
        """True on the last page of a round: only then may the delta link be stored."""
        return self.delta_link is not None


def parse_delta_page(raw: Any) -> DeltaPage:
    """Read a decoded (or raw JSON) delta page; tombstones (`@removed`) become removed ids, never items.

    Items carry only the `$select`ed properties: they are candidates to fetch, not contacts yet.
    """
    if isinstance(raw, (bytes, str)):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            problem = f"delta page is not valid JSON ({exc.msg})"
            raise PermanentError(problem, reason="malformed_delta") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), list):
        raise PermanentError("delta page has no 'value' array", reason="malformed_delta")
    items: list[GraphMessage] = []
    removed: list[str] = []
    for index, entry in enumerate(raw["value"]):
        if not isinstance(entry, dict):
            raise PermanentError(f"delta page value[{index}] is not an object", reason="malformed_delta")
        if "@removed" in entry:
            if isinstance(entry.get("id"), str):
                removed.append(entry["id"])
            continue
        items.append(parse_message(entry))
    return DeltaPage(
        items=tuple(items),
        removed_ids=tuple(removed),
        next_link=_link(raw, "@odata.nextLink"),
        delta_link=_link(raw, "@odata.deltaLink"),
    )


def _link(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value else None
