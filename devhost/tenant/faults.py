"""Faults on demand for the simulated day: which ones a run uses, and what each means for one contact.

Kinds (`--faults throttle,early,…`, or `all`):
  throttle      the first read of the contact's resource answers 429 with Retry-After: 1
  unavailable   the first read answers 503
  slow          the first read is held 1.5 s before it is answered
  duplicates    the change notification is delivered twice
  early         the notification arrives before the resource is readable (the first read is a 404)
  late-versions a call record's settled version arrives seconds after a first, partial one
  stale         a late notification is answered from a lagging replica with an older version
Each applies to a contact with probability `rate` (default 0.2), so most contacts stay clean.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

KINDS = ("throttle", "unavailable", "slow", "duplicates", "early", "late-versions", "stale")
PHONE_ONLY = frozenset({"late-versions", "stale"})
READ_FAULTS = frozenset({"throttle", "unavailable", "slow", "early"})


def parse_kinds(spec: str | list[str] | None) -> list[str]:
    """`none`/empty -> [], `all`/`mix` -> every kind; ValueError names an unknown kind."""
    items = spec if isinstance(spec, list) else [s.strip() for s in (spec or "").split(",") if s.strip()]
    if any(s in ("all", "mix") for s in items):
        return list(KINDS)
    unknown = [s for s in items if s not in KINDS and s != "none"]
    if unknown:
        raise ValueError(f"unknown fault kind {unknown[0]!r}; known: {', '.join(KINDS)}")
    return [s for s in items if s != "none"]


@dataclass
class FaultPlan:
    """What goes wrong for one contact; `kinds` is kept in the ground truth for the report."""

    kinds: list[str] = field(default_factory=list)
    copies: int = 1
    late: bool = False
    stale: bool = False

    def rules(self, path: str, not_found_code: str) -> list[dict]:
        """Fault rules for the tenant's Graph edge, matched on the resource's path."""
        rules = []
        for kind in sorted(self.kinds, key=lambda k: k == "slow"):  # a slow read answers: keep it last
            rule = {"path": path, "method": "GET", "times": 1}
            if kind == "throttle":
                rules.append({**rule, "status": 429, "retryAfter": 1})
            elif kind == "unavailable":
                rules.append({**rule, "status": 503})
            elif kind == "slow":
                rules.append({**rule, "delay": 1.5})
            elif kind == "early":
                rules.append({**rule, "status": 404, "code": not_found_code})
        return rules


def plan_faults(rng: random.Random, kinds: list[str], channel: str, rate: float = 0.2) -> FaultPlan:
    """Draw the faults of one contact (post has no Graph reads: no faults apply to letters)."""
    if channel == "post":
        return FaultPlan()
    chosen = [k for k in kinds if (channel == "phone" or k not in PHONE_ONLY) and rng.random() < rate]
    if "late-versions" in chosen and "stale" in chosen:
        chosen.remove("stale")
    return FaultPlan(
        kinds=chosen,
        copies=2 if "duplicates" in chosen else 1,
        late="late-versions" in chosen,
        stale="stale" in chosen,
    )
