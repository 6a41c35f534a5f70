"""The drills. Each takes a fresh data dir and a size, drives traffic through a real host subprocess and
returns an Outcome reconciled against the tenant's ground truth (devhost/reconcile.py)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from devhost.sim_driver import DaySpec
from drills.harness import FULL, SMALL, Drill, Outcome, Size, columns, outcome
from drills.scenarios_hostile import hostile_inbox
from drills.scenarios_poison import misconfigured_graph, poison_in_every_channel

SETTLE = 150.0  # bound on waiting: a killed host's locks expire after 60 s (LOCK_DURATION)


def kill_host_mid_burst(data_dir: Path, size: Size) -> Outcome:
    """kill -9 the host a third into a burst and restart it at once. Messages it held come back when their
    locks expire; notifications sent while it was dead are redelivered by the tenant, as Graph does;
    catch-up runs only if something is still missing after that."""
    drill = Drill(data_dir)
    try:
        drill.start_host()
        drill.subscribe()
        run_id = drill.start_day(DaySpec(size.contacts, size.rate, seed=11, image_letters=0))
        time.sleep(size.contacts / size.rate / 3)
        locked = drill.kill_host()
        drill.start_host()
        drill.wait_generated(run_id, 120)
        report = before = drill.settle(run_id, 75)  # past the 60 s lock of what the killed host held
        notes = [f"locked in flight at the kill: {locked}", f"after restart: {columns(report)}"]
        if not report.clean:  # past the tenant's redelivery: left to catch-up
            answer = drill.loket("catch-up")
            notes.append(f"catch-up: {answer}"[:200])
            report = drill.settle(run_id, SETTLE)
        result = outcome(
            "kill -9 mid-burst, restart",
            report,
            drill,
            before=before,
            recovered="catch-up" if len(notes) > 2 else "restart alone",
            notes=notes,
        )
        if not sum(locked.values()):  # nothing was held: the drill proved nothing about redelivery
            result.failed_checks.append("no message was locked in flight when the host was killed")
        return result
    finally:
        drill.close()


def graph_fault_mix(data_dir: Path, size: Size) -> Outcome:
    """429 with Retry-After, 503, duplicate notifications, late and stale call-record versions."""
    drill = Drill(data_dir)
    kinds = ("throttle", "unavailable", "duplicates", "late-versions", "stale")
    try:
        drill.start_host()
        drill.subscribe()
        run_id = drill.start_day(
            DaySpec(size.contacts, size.rate, kinds, fault_rate=0.1, seed=12, image_letters=0)
        )
        drill.wait_generated(run_id, 180)
        report = drill.settle(run_id, SETTLE)
        hit = sorted({k for row in drill.control.truth(run_id) for k in row["faults"]})
        return outcome("Graph fault mix", report, drill, recovered="retries", notes=[f"faults hit: {hit}"])
    finally:
        drill.close()


def postgres_down(data_dir: Path, size: Size) -> Outcome:
    """The CRM store on a throwaway PostgreSQL cluster, stopped for `size.outage` s mid-run; then
    whatever was dead-lettered is replayed (`loket replay dlq`) and missed notifications caught up."""
    from drills.pg import ThrowawayCluster

    cluster = ThrowawayCluster(data_dir / "pg").start()
    drill = Drill(data_dir / "loket", {"CRM_DATABASE_URL": cluster.url, "MAX_ATTEMPTS": "3"})
    try:
        drill.start_host()
        drill.subscribe()
        run_id = drill.start_day(DaySpec(size.contacts, size.rate / 2, seed=14, image_letters=0))
        time.sleep(size.contacts / size.rate / 3)
        cluster.stop()
        time.sleep(size.outage)
        cluster.start()
        drill.wait_generated(run_id, 180)
        report = before = drill.settle(run_id, 60)
        notes, recovered = [f"after the outage: {columns(report)}"], "retries"
        seen = {}
        if not report.clean:
            seen = drill.dead_letters()
            for entity in ("mail-notifications", "call-notifications", "contact-events/crm"):
                drill.loket("replay", "dlq", entity)
            drill.loket("catch-up")
            recovered = "replay dlq + catch-up"
            report = drill.settle(run_id, SETTLE)
        return outcome(
            f"PostgreSQL down {size.outage:.0f} s",
            report,
            drill,
            before=before,
            recovered=recovered,
            notes=notes,
            seen_dead=seen,
        )
    finally:
        drill.close()
        cluster.destroy()


def clock_past_expiry(data_dir: Path, size: Size) -> Outcome:
    """Move the shared clock (host, tenant, drill) past every subscription's expiry; the host's
    subscription maintenance and catch-up must bring capture back, with nothing lost in between."""
    import datetime as dt

    from adapters.clock import MovableClock

    drill = Drill(data_dir)
    try:
        clock = MovableClock.install(data_dir)
        drill.start_host()
        drill.subscribe()
        first = drill.start_day(DaySpec(size.contacts // 2, size.rate, seed=15, image_letters=0))
        drill.wait_generated(first, 120)
        subscriptions = _subscription_ids(drill)
        clock.advance(dt.timedelta(days=8))  # past any Graph subscription lifetime (mail: under 7 days)
        threading.Event().wait(2)
        second = drill.start_day(DaySpec(size.contacts // 2, size.rate, seed=16, image_letters=0))
        drill.wait_generated(second, 120)
        report = after_jump = drill.settle(second, 60)
        notes, recovered = [f"right after the jump: {columns(report)}"], "timers"
        if not report.clean:
            drill.loket("subscriptions", "ensure")
            drill.loket("catch-up")
            recovered = "subscriptions ensure + catch-up"
            report = drill.settle(second, SETTLE)
        renewed = _subscription_ids(drill)
        notes.append(
            f"subscriptions live after the jump: {len(renewed)}, new: {len(renewed - subscriptions)}"
        )
        before = drill.reconcile(first).to_json()
        notes.append(f"first run (before the jump): {before['missing']} missing, {before['wrong']} wrong")
        result = outcome(
            "clock past subscription expiry", report, drill,
            before=after_jump, recovered=recovered, notes=notes,
        )
        result.generated += before["generated"]
        result.lost += before["missing"]
        result.wrong += before["wrong"]
        result.duplicated += before["duplicated"]
        result.extra += before["extra"]
        return result
    finally:
        drill.close()


def _subscription_ids(drill: Drill) -> set[str]:
    """The tenant's live subscriptions (expired ones are not served)."""
    from devhost.tenant.subscriptions import expired

    listed = drill.control._call("GET", "/v1.0/subscriptions").get("value", [])
    return {s["id"] for s in listed if not expired(s)}


__all__ = ["DRILLS", "FULL", "SMALL"]
DRILLS = {
    "kill": kill_host_mid_burst,
    "faults": graph_fault_mix,
    "poison": poison_in_every_channel,
    "config": misconfigured_graph,
    "postgres": postgres_down,
    "clock": clock_past_expiry,
    "hostile": hostile_inbox,
}
