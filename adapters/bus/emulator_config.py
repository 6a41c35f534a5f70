"""The Service Bus emulator's Config.json, generated from entities.py so the emulator never drifts.

    .venv/bin/python -m adapters.bus.emulator_config > servicebus-emulator/Config.json

The emulator caps some properties below Azure's (TTL at most 1 hour, duplicate window at most 5
minutes); the generated file clamps them and says nothing else differs.
"""

from __future__ import annotations

import datetime as dt
import json

from settings import Settings

from .entities import Topology, sql_filter, topology

EMULATOR_MAX_TTL = dt.timedelta(hours=1)
EMULATOR_MAX_DUPLICATE_WINDOW = dt.timedelta(minutes=5)


def _iso(delta: dt.timedelta) -> str:
    """ISO 8601 as the emulator's schema wants it: PT1H, PT5M, PT1M30S."""
    seconds = int(delta.total_seconds())
    parts = ((seconds // 3600, "H"), (seconds % 3600 // 60, "M"), (seconds % 60, "S"))
    return "PT" + ("".join(f"{n}{unit}" for n, unit in parts if n) or "0S")


def emulator_config(entities: Topology) -> dict:
    p = entities.policy
    ttl = _iso(min(p.default_ttl, EMULATOR_MAX_TTL))
    window = _iso(min(p.duplicate_detection_window, EMULATOR_MAX_DUPLICATE_WINDOW))
    common = {
        "DeadLetteringOnMessageExpiration": p.dead_letter_on_expiry,
        "DefaultMessageTimeToLive": ttl,
        "LockDuration": _iso(p.lock_duration),
        "MaxDeliveryCount": p.max_delivery_count,
        "ForwardDeadLetteredMessagesTo": "",
        "ForwardTo": "",
        "RequiresSession": False,
    }
    dedupe = {"RequiresDuplicateDetection": True, "DuplicateDetectionHistoryTimeWindow": window}
    queues = [{"Name": q, "Properties": {**common, **dedupe}} for q in entities.queues]
    topics = [
        {
            "Name": topic,
            "Properties": {"DefaultMessageTimeToLive": ttl, **dedupe},
            "Subscriptions": [
                {
                    "Name": sub,
                    "Properties": common,
                    "Rules": [
                        {
                            "Name": "loket-target",
                            "Properties": {
                                "FilterType": "Sql",
                                "SqlFilter": {"SqlExpression": sql_filter(sub)},
                            },
                        }
                    ],
                }
                for sub in subs
            ],
        }
        for topic, subs in entities.topics.items()
    ]
    namespace = {"Name": "sbemulatorns", "Queues": queues, "Topics": topics}
    return {"UserConfig": {"Namespaces": [namespace], "Logging": {"Type": "File"}}}


if __name__ == "__main__":
    print(json.dumps(emulator_config(topology(Settings())), indent=2))  # noqa: T201 - a generator script
