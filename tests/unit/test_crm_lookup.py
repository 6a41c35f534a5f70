"""Look-up rules that need no database: reasons, one query at a time, the 'helped before' summary."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

import pytest

from handlers.lookup import LookupRefused, _query, helped_before, require_reason
from handlers.ports.store import IdentifierType
from schemas.timeline import TimelineEntry

T = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def entry(days: int, departments: tuple[str, ...], outcome: str) -> TimelineEntry:
    return TimelineEntry(
        event_id=uuid4(),
        version=1,
        channel="phone",
        direction="inbound",
        occurred_at=T + dt.timedelta(days=days),
        outcome=outcome,
        departments=departments,
        source_system="graph-callrecords",
    )


@pytest.mark.parametrize("reason", [None, "", " \t "])
def test_a_blank_reason_is_refused(reason):
    with pytest.raises(LookupRefused):
        require_reason(reason)


def test_a_reason_is_kept_without_surrounding_space():
    assert require_reason("  callback  ") == "callback"


@pytest.mark.parametrize("given", [{}, {"phone": "0475", "email": "a@b.be"}])
def test_exactly_one_query_is_required(given):
    with pytest.raises(LookupRefused):
        _query(given.get("phone"), given.get("email"), given.get("name"))


def test_queries_are_normalised():
    assert _query("0475 12 34 56", None, None) == (IdentifierType.PHONE, "+32475123456")
    assert _query(None, " Jan@Example.BE", None) == (IdentifierType.EMAIL, "jan@example.be")
    assert _query(None, None, "  Désirée ") == (None, "desiree")


@pytest.mark.parametrize(("phone", "email"), [("12", None), ("anonymous", None), (None, "not-an-address")])
def test_an_unreadable_phone_or_email_is_refused_without_echoing_it(phone, email):
    with pytest.raises(LookupRefused) as caught:
        _query(phone, email, None)
    assert str(phone or email) not in str(caught.value)


def test_helped_before_takes_the_newest_contact_per_department_from_a_newest_first_timeline():
    timeline = [
        entry(5, ("Omgeving",), "missed"),
        entry(3, ("Onthaal", "Omgeving"), "answered"),
        entry(1, ("Onthaal",), "voicemail"),
    ]
    summary = {s.department: (s.contacts, s.last_outcome, s.last_at.day) for s in helped_before(timeline)}
    assert summary == {"Omgeving": (2, "missed", 6), "Onthaal": (2, "answered", 4)}


def test_helped_before_reports_an_unknown_last_call_as_unknown_never_an_older_outcome():
    timeline = [entry(5, ("Burgerzaken",), "unknown"), entry(1, ("Burgerzaken",), "answered")]
    [summary] = helped_before(timeline)
    assert (summary.contacts, summary.last_outcome) == (2, "unknown")


def test_the_lookup_command_says_why_an_outcome_is_unknown():
    from zoneinfo import ZoneInfo

    from rich.console import Console

    from cli.lookup import _helped_before, _timeline
    from schemas.timeline import PartyView

    timeline = (entry(5, ("Burgerzaken",), "unknown"), entry(1, ("Burgerzaken",), "answered"))
    party = PartyView(party_id=1, display_name=None, identifiers=(), timeline=timeline,
                      helped_before=helped_before(timeline))
    console = Console(record=True, width=200)
    zone = ZoneInfo("Europe/Brussels")
    console.print(_helped_before(party, zone))
    console.print(_timeline(party, zone))
    text = console.export_text()
    assert text.count("unknown (no evidence)") == 2 and "answered" in text
