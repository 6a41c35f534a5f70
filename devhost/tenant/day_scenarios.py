"""The scenario catalogue: importing this module registers every channel's scenarios in day.CATALOGUE."""

from devhost.tenant import day_scenarios_calls, day_scenarios_mail, day_scenarios_post  # noqa: F401
