"""Functions-style route templates (`parties/{id}/timeline`, `{id:int}`, `{name?}`, `{*rest}`) as matchers."""
from __future__ import annotations

import re
from dataclasses import dataclass

from devhost.function_index import HttpSpec, IndexedFunction

_PARAM = re.compile(r"^\{(\*)?([A-Za-z_][A-Za-z0-9_]*)(?::([^}?=]+))?(\?)?(?:=[^}]*)?\}$")
_CONSTRAINTS = {
    "int": r"-?\d+", "long": r"-?\d+", "bool": r"(?i:true|false)", "alpha": r"[A-Za-z]+",
    "guid": r"[0-9A-Fa-f]{8}-?(?:[0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}", "decimal": r"-?\d+(?:\.\d+)?",
    "double": r"-?\d+(?:\.\d+)?", "float": r"-?\d+(?:\.\d+)?", "datetime": r"[^/]+",
}


@dataclass(frozen=True)
class CompiledRoute:
    """One HTTP function's route: a regex over the path after `/api/`, and its rank among routes."""

    function: IndexedFunction
    pattern: re.Pattern[str]
    literal_segments: int
    segments: int

    @property
    def spec(self) -> HttpSpec:
        spec = self.function.trigger
        assert isinstance(spec, HttpSpec)
        return spec

    def match(self, path: str) -> dict[str, str] | None:
        found = self.pattern.fullmatch(path.strip("/"))
        if found is None:
            return None
        return {k: v for k, v in found.groupdict().items() if v is not None}


def compile_route(function: IndexedFunction) -> CompiledRoute:
    """Turn a route template into a regex: parameters take one segment, `{*x}` the rest, `?` is optional."""
    assert isinstance(function.trigger, HttpSpec)
    template = function.trigger.route.strip("/")
    parts, literals = [], 0
    for segment in template.split("/") if template else []:
        param = _PARAM.match(segment)
        if param is None:
            parts.append(("/", re.escape(segment), False))
            literals += 1
            continue
        catch_all, name, constraint, optional = param.groups()
        body = r".*" if catch_all else _CONSTRAINTS.get((constraint or "").split("(")[0].lower(), r"[^/]+")
        parts.append(("/", f"(?P<{name}>{body})", bool(optional or catch_all)))
    regex = ""
    for index, (sep, body, optional) in enumerate(parts):
        prefix = "" if index == 0 else sep
        regex += f"(?:{prefix}{body})?" if optional else f"{prefix}{body}"
    return CompiledRoute(function, re.compile(regex, re.IGNORECASE), literals, len(parts))


def route_table(functions: list[IndexedFunction]) -> list[CompiledRoute]:
    """Routes in match order: more literal segments first (as ASP.NET ranks templates), then longer ones."""
    routes = [compile_route(f) for f in functions if isinstance(f.trigger, HttpSpec)]
    return sorted(routes, key=lambda r: (-r.literal_segments, -r.segments, r.function.name))
