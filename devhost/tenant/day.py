"""The working day of the fictional city: a catalogue of contact scenarios, each a plan of what the
tenant does (mail into a mailbox, a call record, a letter in the post inbox) and what Loket should
make of it (the ground truth: captured with which citizen, direction, department, agent and outcome,
or skipped and why). Pure: `plan_contact` decides; day_run.py carries the plan out.

Every scenario kind appears once before the mix turns random, so a short day still covers them all.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from devhost.tenant.day_people import City, Population
from devhost.tenant.faults import FaultPlan, plan_faults


@dataclass
class Expect:
    """What Loket should make of one generated contact (one row of the ground truth)."""

    channel: str
    scenario: str
    source_id: str  # internetMessageId, callRecord id or the PDF's sha256
    captured: bool = True
    reason: str | None = None  # the skip reason when not captured
    recipient: str | None = None  # outbound mail: the citizen written to
    # The identifiers the contact reveals, strongest first ({"email": …, "phone": …}); the first is the
    # one its party must own; more than one says these identifiers belong to one person. None: anonymous.
    citizen: dict | None = None
    direction: str = "inbound"
    departments: list[str] = field(default_factory=list)
    agent: str | None = None
    outcome: str | None = None
    version: int = 1
    faults: list[str] = field(default_factory=list)
    # Fields compared only when the truth knows them (None / absent key: not compared).
    occurred_at: str | None = None  # ISO UTC; compared to the second
    duration: int | None = None  # calls: whole seconds, end - start
    mailboxes: list[str] | None = None  # mail: the captured mailboxes it reached (lower-case)
    texts: dict = field(default_factory=dict)  # {"subject": …, "summary": …} as the policy allows them

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Action:
    """One thing the tenant does: `kind` in message | call | stale | letter | sidecar | fault;
    `after` seconds from the start of the scenario (later actions run in the background)."""

    kind: str
    args: dict
    after: float = 0.0


@dataclass
class Plan:
    expect: Expect
    actions: list[Action]


@dataclass
class Context:
    rng: random.Random
    city: City
    people: Population
    now: Callable[[], dt.datetime]
    faults: FaultPlan
    image_letters_left: int = 2

    def skipped(self, channel: str, scenario: str, source_id: str, reason: str) -> Expect:
        return Expect(channel, scenario, source_id, captured=False, reason=reason, faults=self.faults.kinds)


Scenario = Callable[[Context], Plan]
# name -> (weight in the mix, builder); filled by the channel modules below.
CATALOGUE: dict[str, tuple[int, Scenario]] = {}


def scenario(name: str, weight: int) -> Callable[[Scenario], Scenario]:
    def register(builder: Scenario) -> Scenario:
        CATALOGUE[name] = (weight, builder)
        return builder

    return register


def _channel(name: str) -> str:
    return name.split(".", 1)[0]


class Day:
    """Plans contacts one after another: the catalogue once in order, then a weighted random mix."""

    def __init__(
        self,
        seed: int,
        fault_kinds: list[str],
        fault_rate: float = 0.2,
        image_letters: int = 2,
        now: Callable[[], dt.datetime] | None = None,
        city: City | None = None,
    ) -> None:
        from devhost.tenant import day_scenarios  # noqa: F401 - fills CATALOGUE
        from devhost.tenant.day_people import load_city

        self.rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not a secret
        self.city = city or load_city()
        self.people = Population(self.rng)
        self.fault_kinds, self.fault_rate = fault_kinds, fault_rate
        self.image_letters_left = image_letters
        self.now = now or (lambda: dt.datetime.now(dt.UTC))
        self.count = 0

    def next_name(self) -> str:
        names = sorted(CATALOGUE)
        if self.count < len(names):
            return names[self.count]
        weights = [CATALOGUE[n][0] for n in names]
        return self.rng.choices(names, weights)[0]

    def plan_contact(self, name: str | None = None) -> Plan:
        name = name or self.next_name()
        self.count += 1
        faults = plan_faults(self.rng, self.fault_kinds, _channel(name), self.fault_rate)
        ctx = Context(self.rng, self.city, self.people, self.now, faults, self.image_letters_left)
        plan = CATALOGUE[name][1](ctx)
        self.image_letters_left = ctx.image_letters_left
        return plan


def inbox_path(data_dir: Path) -> Path:
    return Path(data_dir) / "post-inbox"
