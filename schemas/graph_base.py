"""Base for the Graph payload subsets Loket reads: camelCase aliases, unknown fields ignored, no echo."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.alias_generators import to_camel

_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_graph_datetime(value: Any) -> Any:
    """Graph sends up to 7 fractional digits and `Z` or an offset; keep microseconds, make it UTC."""
    if isinstance(value, str):
        text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00")
        parsed = dt.datetime.fromisoformat(text)
        if parsed.tzinfo is None:  # Graph's times are UTC even when the zone is left off
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    return value


GraphDatetime = Annotated[dt.datetime, BeforeValidator(parse_graph_datetime)]


class GraphModel(BaseModel):
    """Tolerant of the many fields Loket does not read; strict about the few it does."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
    )
