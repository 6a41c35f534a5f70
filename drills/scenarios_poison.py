"""Poison drills: a malformed payload in every channel stays dead-lettered with its reason; a cause fixed
by configuration (a wrong GRAPH_BASE_URL) is dead-lettered, then replayed and captured."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from devhost.sim_driver import DaySpec
from drills.harness import Drill, Outcome, Size, free_port, outcome

SETTLE = 150.0


POISON = {
    "mail-notifications": b'{"subscription_id": 42, "message_id": null}',
    "call-notifications": b"not json at all",
    "contact-events": b'{"schema_version": 1, "event_id": "not-a-uuid"}',
}


def poison_in_every_channel(data_dir: Path, size: Size) -> Outcome:
    """A malformed message on each queue and topic and an unreadable scan: dead-lettered with a reason,
    and still dead-lettered with the same reason after `loket replay dlq` (replay cannot fix them)."""
    from handlers.ports.bus import OutgoingMessage

    drill = Drill(data_dir, {"MAX_ATTEMPTS": "2"})
    try:
        drill.start_host()
        drill.subscribe()
        bus = drill.open_services().bus
        for entity, body in POISON.items():
            props = {"loket-target": "crm"} if entity == "contact-events" else {}
            bus.publish(
                entity, [OutgoingMessage(body, f"poison-{uuid.uuid4()}", application_properties=props)]
            )
        inbox = data_dir / "post-inbox" / "onthaal"
        inbox.mkdir(parents=True, exist_ok=True)
        (inbox / "kapot.pdf").write_bytes(b"this is no PDF")
        run_id = drill.start_day(DaySpec(size.contacts // 2, size.rate, seed=13, image_letters=0))
        drill.wait_generated(run_id, 120)
        report = drill.settle(run_id, SETTLE)
        _wait(lambda: len(drill.dead_letters()) >= 3, 120)
        before = drill.dead_letters()
        replays = [
            _replayed(drill.loket("replay", "dlq", entity))
            for entity in ("mail-notifications", "call-notifications", "contact-events/crm")
        ]
        time.sleep(5)
        _wait(lambda: drill.dead_letters() == before, 120)
        after = drill.dead_letters()
        letters = drill.poison_scans()
        notes = [f"before replay: {before}", f"replayed: {replays}", f"after replay: {after}"]
        result = outcome(
            "poison in every channel",
            report,
            drill,
            recovered="stays dead-lettered",
            notes=notes,
            expect_dead={k: 1 for k in before},
        )
        if after != before or not letters or sum(replays) < 3:
            result.wrong += 1
            result.notes.append("the dead letters or their reasons changed, or the scan was not logged")
        return result
    finally:
        drill.close()


def misconfigured_graph(data_dir: Path, size: Size) -> Outcome:
    """Poison with a cause fixed by configuration: the host reads Graph at a wrong GRAPH_BASE_URL, so
    every mail and call fetch fails until attempts run out and it is dead-lettered; the setting is
    corrected, the host restarted, `loket replay dlq` resubmits, and every contact is captured."""
    drill = Drill(data_dir, {"MAX_ATTEMPTS": "2"})
    right = drill.env["GRAPH_BASE_URL"]
    try:
        drill.env["GRAPH_BASE_URL"] = f"http://127.0.0.1:{_closed_port()}/v1.0"
        drill.start_host()
        drill.env["GRAPH_BASE_URL"] = right  # the drill's own view (subscriptions) uses the real tenant
        drill.subscribe()
        run_id = drill.start_day(DaySpec(size.contacts // 2, size.rate, seed=17, image_letters=0))
        drill.wait_generated(run_id, 120)
        _wait(lambda: _dead_total(drill, ("mail-notifications", "call-notifications")) > 0, 90)
        time.sleep(15)  # the last retries (10 s back-off) dead-letter too
        before = drill.dead_letters()
        drill.stop_host()
        drill.start_host()  # corrected configuration
        stuck = drill.reconcile(run_id)  # before any recovery: the dead-lettered contacts are lost
        replays = [
            _replayed(drill.loket("replay", "dlq", e)) for e in ("mail-notifications", "call-notifications")
        ]
        report = drill.settle(run_id, SETTLE)
        notes = [f"dead-lettered with the wrong URL: {before}", f"replayed: {replays}"]
        return outcome(
            "poison fixed by configuration",
            report,
            drill,
            before=stuck,
            recovered="config + replay dlq",
            notes=notes,
            seen_dead=before,
        )
    finally:
        drill.close()


def _closed_port() -> int:
    return free_port()  # nothing listens there


def _dead_total(drill: Drill, entities: tuple[str, ...]) -> int:
    return sum(v for k, v in drill.dead_letters().items() if k.split(":")[0] in entities)


def _replayed(answer: dict) -> int:
    """How many dead letters a `loket replay dlq --json` answer says it resubmitted."""
    return int(answer.get("resubmitted") or answer.get("summary", {}).get("resubmitted") or 0)


def _wait(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(1)
    return False
