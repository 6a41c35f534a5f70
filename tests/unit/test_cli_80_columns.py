"""The look-up and queues tables stay readable in an 80-column terminal: no line wider, no header
split across lines."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from rich.console import Console

from cli.lookup import show
from cli.queues import _table
from schemas.timeline import DepartmentSummary, IdentifierView, LookupResult, PartyView, TimelineEntry

BRUSSELS = ZoneInfo("Europe/Brussels")
AT = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def render(draw) -> list[str]:
    console = Console(width=80, record=True, color_system=None)
    draw(console)
    return console.export_text().splitlines()


def entry(**kw) -> TimelineEntry:
    base = dict(event_id=uuid.uuid4(), version=1, channel="phone", direction="inbound", occurred_at=AT,
                outcome="answered", departments=("Sociale dienst",), agent="Marie-Louise Vandenbroucke",
                subject="Afspraak maatschappelijk werker over de huurpremie", source_system="scan",
                duration_seconds=312, thread="answered")
    return TimelineEntry(**{**base, **kw})


def test_an_opened_party_fits_80_columns_with_brussels_times_and_headers_on_one_line():
    party = PartyView(
        party_id=12, display_name="Désirée Van den Broeck",
        identifiers=(IdentifierView(type="email", value="desiree.vandenbroeck@telenet.be"),),
        helped_before=(DepartmentSummary(department="Sociale dienst", contacts=3, last_at=AT,
                                         last_channel="phone", last_outcome="answered",
                                         last_agent="Marie-Louise Vandenbroucke"),),
        timeline=(entry(), entry(channel="mail", direction="outbound", outcome="sent", thread=None)),
        contacts=2,
    )
    lines = render(lambda c: show(LookupResult(query="name", parties=(party,)), c, BRUSSELS))
    assert max(map(len, lines)) <= 80
    assert any("When" in line and "Channel" in line and "Subject" in line for line in lines)
    assert any("02-11-26 10:00" in line for line in lines)  # 09:00 UTC is 10:00 in Brussels (CET)
    assert any("Europe/Brussels" in line for line in lines)


def test_the_queues_table_fits_80_columns_with_long_reasons_below_it():
    entities = [{"entity": name, "kind": kind, "active": 3, "dead_lettered": 120, "scheduled": 4,
                 "oldest_active_age_seconds": 1234.0, "incoming": 1500, "outgoing": 1499,
                 "dead_letter_reasons": {"MaxAttemptsExceeded": 100, "graph_malformed": 20},
                 "health": "critical", "health_reasons": ["dead_letters", "oldest_age"]}
                for name, kind in (("lifecycle-notifications", "queue"), ("contact-events", "topic"))]
    report = {"health": "critical", "window_minutes": 5, "entities": entities}
    lines = render(lambda c: c.print(_table(report)))
    assert max(map(len, lines)) <= 80
    assert any("entity" in line and "health" in line for line in lines)
    assert any("MaxAttemptsExceeded ×100" in line for line in lines)
