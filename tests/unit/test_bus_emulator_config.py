"""The emulator's Config.json comes from the same entity table as everything else."""

from __future__ import annotations

import re

from adapters.bus.emulator_config import emulator_config
from adapters.bus.entities import topology
from settings import Settings

ISO = re.compile(r"^PT(?:\d+H)?(?:\d+M)?(?:\d+S)?$")


def test_the_emulator_config_declares_every_entity_with_the_loket_target_filter() -> None:
    settings = Settings(MAIL_NOTIFICATIONS_QUEUE="mail-test")
    (namespace,) = emulator_config(topology(settings))["UserConfig"]["Namespaces"]
    assert [q["Name"] for q in namespace["Queues"]] == [
        "mail-test",
        "call-notifications",
        "lifecycle-notifications",
    ]
    (topic,) = namespace["Topics"]
    assert topic["Name"] == "contact-events"
    subs = {s["Name"]: s for s in topic["Subscriptions"]}
    assert set(subs) == {"crm", "archive"}
    (rule,) = subs["crm"]["Rules"]
    assert rule["Properties"]["SqlFilter"]["SqlExpression"] == (
        "NOT EXISTS([loket-target]) OR [loket-target] = 'crm'"
    )
    queue = namespace["Queues"][0]["Properties"]
    assert queue["MaxDeliveryCount"] == 10 and queue["RequiresDuplicateDetection"] is True


def test_durations_are_clamped_to_the_emulator_limits_and_written_in_iso_8601() -> None:
    (namespace,) = emulator_config(topology(Settings()))["UserConfig"]["Namespaces"]
    props = namespace["Queues"][0]["Properties"]
    assert props["DefaultMessageTimeToLive"] == "PT1H"  # 14 days in Azure, the emulator's max here
    assert props["DuplicateDetectionHistoryTimeWindow"] == "PT5M"
    assert props["LockDuration"] == "PT1M"
    assert all(ISO.match(v) for v in (props["DefaultMessageTimeToLive"], props["LockDuration"]))
