"""Phone scenarios of the working day: calls through queues and the auto attendant, in both layouts,
transfers, missed and abandoned calls, voicemail, withheld numbers, direct and internal calls."""

from __future__ import annotations

import datetime as dt

from devhost.tenant import day_calls as calls
from devhost.tenant.day import Action, Context, Expect, Plan, scenario
from devhost.tenant.odata import iso

NOT_FOUND = "NotFound"
LATE_AFTER, STALE_AFTER = 3.0, 4.0


def _start(ctx: Context, seconds: float = 600) -> dt.datetime:
    """Calls are reported after they end: the call started some minutes ago."""
    return ctx.now() - dt.timedelta(seconds=seconds + ctx.rng.randrange(30, 300))


def _queue(ctx: Context) -> dict:
    return ctx.rng.choice(ctx.city.queues_of("call_queue"))


def _publish(ctx: Context, record: dict) -> list[Action]:
    """Fault rules, then the record; late versions publish a partial first; stale adds a lagging read."""
    rules = ctx.faults.rules(f"/callRecords/{record['id']}", NOT_FOUND)
    actions = [Action("fault", rule) for rule in rules]
    copies = ctx.faults.copies
    if ctx.faults.late:
        actions.append(Action("call", {"record": calls.first_version(record), "copies": copies}))
        actions.append(Action("call", {"record": record, "copies": 1}, after=LATE_AFTER))
    elif ctx.faults.stale:
        previous = {**calls.first_version(record), "version": 1, "lastModifiedDateTime": iso(ctx.now(), 7)}
        actions.append(Action("call", {"record": previous, "notify": False}))
        actions.append(Action("call", {"record": record, "copies": copies}))
        actions.append(Action("stale", {"id": record["id"], "previous": previous}, after=STALE_AFTER))
    else:
        actions.append(Action("call", {"record": record, "copies": copies}))
    return actions


def _version(ctx: Context) -> int:
    return 2 if (ctx.faults.late or ctx.faults.stale) else 1


def _contact(
    ctx: Context,
    name: str,
    record: dict,
    number: str | None,
    departments: list[str],
    agent,
    outcome: str,
    direction: str = "inbound",
) -> Plan:
    expect = Expect(
        "phone",
        name,
        record["id"],
        citizen={"phone": number} if number else None,
        direction=direction,
        departments=departments,
        agent=agent.id if agent else None,
        outcome=outcome,
        version=_version(ctx),
        faults=ctx.faults.kinds,
        occurred_at=record["startDateTime"],
        duration=_seconds(record),
        texts={"subject": None, "summary": None},
    )
    return Plan(expect, _publish(ctx, record))


def _instant(text: str) -> dt.datetime:
    """Graph's 7-digit fractions, read to the microsecond."""
    head, _, fraction = text.rstrip("Z").partition(".")
    return dt.datetime.fromisoformat(f"{head}.{(fraction + '000000')[:6]}+00:00")


def _seconds(record: dict) -> int:
    """The call's length in whole seconds (end - start, truncated), from the record as published."""
    return int((_instant(record["endDateTime"]) - _instant(record["startDateTime"])).total_seconds())


def _answering(ctx: Context, queue: dict):
    agents = ctx.city.agents_of(queue["department"])
    return agents[0], agents[1]


@scenario("phone.answered_real", 7)
def answered_real(ctx: Context) -> Plan:
    citizen, queue = ctx.people.pick(), _queue(ctx)
    taker, other = _answering(ctx, queue)
    rang = [other] if ctx.rng.random() < 0.5 else []
    rec = calls.queue_call_real(_start(ctx), calls.phone(citizen.phone), queue, taker, rang)
    return _contact(ctx, "phone.answered_real", rec, citizen.phone, [queue["department"]], taker, "answered")


@scenario("phone.answered_documented", 4)
def answered_documented(ctx: Context) -> Plan:
    citizen, queue = ctx.people.pick(), _queue(ctx)
    taker, other = _answering(ctx, queue)
    rec = calls.queue_call_documented(_start(ctx), calls.phone(citizen.phone), queue, taker, [other])
    return _contact(
        ctx, "phone.answered_documented", rec, citizen.phone, [queue["department"]], taker, "answered"
    )


@scenario("phone.transferred", 3)
def transferred(ctx: Context) -> Plan:
    citizen, queue = ctx.people.pick(), _queue(ctx)
    first, second = _answering(ctx, queue)
    rec = calls.transfer_real(_start(ctx), calls.phone(citizen.phone), queue, first, second)
    return _contact(ctx, "phone.transferred", rec, citizen.phone, [queue["department"]], first, "answered")


@scenario("phone.missed", 4)
def missed(ctx: Context) -> Plan:
    citizen, queue = ctx.people.pick(), _queue(ctx)
    rec = calls.queue_call_real(
        _start(ctx), calls.phone(citizen.phone), queue, None, list(_answering(ctx, queue))
    )
    return _contact(ctx, "phone.missed", rec, citizen.phone, [queue["department"]], None, "missed")


@scenario("phone.missed_documented", 2)
def missed_documented(ctx: Context) -> Plan:
    citizen, queue = ctx.people.pick(), _queue(ctx)
    rec = calls.queue_call_documented(
        _start(ctx), calls.phone(citizen.phone), queue, None, list(_answering(ctx, queue))
    )
    return _contact(ctx, "phone.missed_documented", rec, citizen.phone, [queue["department"]], None, "missed")


@scenario("phone.abandoned", 3)
def abandoned(ctx: Context) -> Plan:
    """The caller hangs up in the auto attendant's menu."""
    citizen, attendant = ctx.people.pick(), ctx.city.queues_of("auto_attendant")[0]
    rec = calls.attendant_call(_start(ctx), calls.phone(citizen.phone), attendant, None, None)
    return _contact(ctx, "phone.abandoned", rec, citizen.phone, [attendant["department"]], None, "abandoned")


@scenario("phone.attendant_then_queue", 3)
def attendant_then_queue(ctx: Context) -> Plan:
    citizen, attendant, queue = ctx.people.pick(), ctx.city.queues_of("auto_attendant")[0], _queue(ctx)
    taker, _ = _answering(ctx, queue)
    rec = calls.attendant_call(_start(ctx), calls.phone(citizen.phone), attendant, queue, taker)
    return _contact(
        ctx, "phone.attendant_then_queue", rec, citizen.phone, [queue["department"]], taker, "answered"
    )


@scenario("phone.voicemail", 3)
def voicemail(ctx: Context) -> Plan:
    citizen, queue = ctx.people.pick(), _queue(ctx)
    rang = [_answering(ctx, queue)[0]]
    rec = calls.queue_call_real(
        _start(ctx), calls.phone(citizen.phone), queue, None, rang, talk=60, voicemail=True
    )
    return _contact(ctx, "phone.voicemail", rec, citizen.phone, [queue["department"]], None, "voicemail")


@scenario("phone.withheld", 2)
def withheld(ctx: Context) -> Plan:
    queue = _queue(ctx)
    taker, _ = _answering(ctx, queue)
    rec = calls.queue_call_real(_start(ctx), calls.phone("anonymous", "Anonymous"), queue, taker, [])
    return _contact(ctx, "phone.withheld", rec, None, [queue["department"]], taker, "answered")


@scenario("phone.outbound", 2)
def outbound(ctx: Context) -> Plan:
    """A colleague calls a citizen back from Teams."""
    citizen, agent = ctx.people.pick(), ctx.rng.choice(ctx.city.colleagues)
    rec = calls.direct_call(_start(ctx), calls.colleague(agent), calls.party(calls.phone(citizen.phone)))
    return _contact(ctx, "phone.outbound", rec, citizen.phone, [], agent, "answered", "outbound")


@scenario("phone.direct", 1)
def direct(ctx: Context) -> Plan:
    """A citizen dials a colleague's own number: a contact without department."""
    citizen, agent = ctx.people.pick(), ctx.rng.choice(ctx.city.colleagues)
    rec = calls.direct_call(_start(ctx), calls.party(calls.phone(citizen.phone)), calls.colleague(agent))
    return _contact(ctx, "phone.direct", rec, citizen.phone, [], agent, "answered")


@scenario("phone.internal", 3)
def internal(ctx: Context) -> Plan:
    """Two colleagues calling each other: not a contact."""
    a, b = ctx.rng.sample(list(ctx.city.colleagues), 2)
    rec = calls.direct_call(_start(ctx), calls.colleague(a), calls.colleague(b))
    return Plan(ctx.skipped("phone", "phone.internal", rec["id"], "internal_call"), _publish(ctx, rec))


@scenario("phone.odd_notification", 2)
def odd_notification(ctx: Context) -> Plan:
    """An answered queue call whose notifications lack `@odata.type` and carry an unknown changeType:
    the resource still names the record, so it is fetched and captured."""
    plan = answered_real(ctx)
    plan.expect.scenario = "phone.odd_notification"
    for action in plan.actions:
        if action.kind == "call" and action.args.get("notify", True):
            action.args["oddities"] = ["no_odata_type", "unknown_change_type"]
    return plan


@scenario("phone.no_sessions", 1)
def no_sessions(ctx: Context) -> Plan:
    """A queue call whose record has no sessions (never expanded, or not there yet): the record shows who
    called, through which queue and for how long, but not how it went: outcome `unknown` (issue #14)."""
    citizen, queue = ctx.people.pick(), _queue(ctx)
    taker, _ = _answering(ctx, queue)
    rec = calls.queue_call_real(_start(ctx), calls.phone(citizen.phone), queue, taker, [])
    rec["sessions"] = []
    rules = ctx.faults.rules(f"/callRecords/{rec['id']}", NOT_FOUND)
    actions = [Action("fault", rule) for rule in rules]
    actions.append(Action("call", {"record": rec, "copies": ctx.faults.copies}))
    expect = Expect(
        "phone",
        "phone.no_sessions",
        rec["id"],
        citizen={"phone": citizen.phone},
        departments=[queue["department"]],
        agent=None,
        outcome="unknown",
        version=1,
        faults=ctx.faults.kinds,
        occurred_at=rec["startDateTime"],
        duration=_seconds(rec),
        texts={"subject": None, "summary": None},
    )
    return Plan(expect, actions)
