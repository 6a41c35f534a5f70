"""'Helped before, by whom, how it went', on SQLite and PostgreSQL: every contact counts, a colleague's
call-back is shown under their department, each request is answered or open, sources open safely."""
# ruff: noqa: F811 - pytest fixtures imported from tests.contract.store_backends

from __future__ import annotations

import datetime as dt

from handlers.crm import record_contact
from handlers.lookup import lookup, open_scan
from schemas.contact_event import Agent, Direction
from tests.contract.store_backends import T0, event, postgres_url, sqlite_template, store  # noqa: F401 - fixtures

WHO = "tester"
H = dt.timedelta(hours=1)


def record(store, ev) -> None:
    record_contact(ev, store.uow(), T0 + dt.timedelta(days=30))


def outbound(ev, **update):
    return ev.model_copy(update={"direction": Direction.OUTBOUND, **update})


def opened(store, **kw):
    (party,) = lookup(store.uow(), actor=WHO, reason="desk", phone="0475123456", **kw).parties
    return party


def test_a_call_back_without_a_queue_is_shown_under_the_department_whose_calls_the_colleague_answers(store):
    # Els answers Burgerzaken's queue (another citizen's call teaches Loket where she works)
    from tests.contract.store_backends import citizen
    record(store, event("other", who=citizen(name="Piet", email="piet@example.be", phone="+32475000001"),
                        agent="els", at=T0 - 24 * H))
    record(store, event("missed", at=T0, outcome="missed", agent=None, duration=0))
    record(store, outbound(event("callback", at=T0 + H, departments=(), agent="els", outcome="answered")))
    party = opened(store)
    summary = {s.department: (s.contacts, s.last_outcome, s.last_agent) for s in party.helped_before}
    assert summary == {"Burgerzaken": (2, "answered", "Agent els")}
    callback, missed = party.timeline
    assert callback.departments == () and callback.attributed_department == "Burgerzaken"  # stored as is
    assert missed.thread == "answered"  # the call-back answered the missed call


def test_the_policy_staff_map_attributes_a_colleague_who_never_answered_a_queue_call(store):
    record(store, outbound(event("direct", at=T0, departments=(), agent="koen", outcome="answered")))
    party = opened(store, staff={"koen": "Omgeving"})
    assert [(s.department, s.contacts) for s in party.helped_before] == [("Omgeving", 1)]
    assert opened(store).helped_before == ()  # without the map, nobody to attribute it to


def test_a_missed_call_without_a_call_back_stays_open_and_a_mail_reply_answers_its_conversation(store):
    record(store, event("missed", at=T0, outcome="missed", agent=None, duration=0))
    ask = event("ask", channel="mail", at=T0 + H, departments=("Onthaal",), outcome="received", agent=None,
                duration=None).model_copy(update={"conversation_id": "conv-1"})
    other = event("other", channel="mail", at=T0 + 2 * H, departments=("Onthaal",), outcome="received",
                  agent=None, duration=None).model_copy(update={"conversation_id": "conv-2"})
    reply = outbound(event("reply", channel="mail", at=T0 + 3 * H, departments=("Onthaal",), outcome="sent",
                           duration=None, mailboxes=("info@stad.example",)),
                     conversation_id="conv-1", agent=Agent(id="an", display_name="An Claes"))
    for ev in (ask, other, reply):
        record(store, ev)
    threads = {e.subject: e.thread for e in opened(store).timeline}
    assert threads == {"subject missed": "open", "subject ask": "answered", "subject other": "open",
                       "subject reply": None}
    sent = next(e for e in opened(store).timeline if e.subject == "subject reply")
    assert (sent.agent, sent.on_behalf_of) == ("An Claes", "info@stad.example")


def test_a_call_back_by_a_restricted_departments_colleague_is_hidden_from_others(store):
    record(store, outbound(event("sd", at=T0, departments=(), agent="sara", outcome="answered")))
    party = opened(store, staff={"sara": "Sociale dienst"},
                   can_see=lambda departments: "Sociale dienst" not in departments)
    assert party.timeline == () and party.contacts == 0


def test_mail_links_to_outlook_on_the_web_only_and_a_letter_to_loket_s_scan_route(store):
    link = "https://outlook.office365.com/owa/?ItemID=AAMk%3D&exvsurl=1&viewmodel=ReadMessageItem"
    mail = event("m", channel="mail", departments=("Onthaal",), outcome="received", duration=None, agent=None)
    bad = event("b", channel="mail", at=T0 + H, departments=("Onthaal",), outcome="received", duration=None,
                agent=None)
    record(store, mail.model_copy(update={"source": mail.source.model_copy(update={"uri": link})}))
    record(store, bad.model_copy(update={"source": bad.source.model_copy(update={"uri": "javascript:x"})}))
    letter = event("l", channel="post", at=T0 + 2 * H, departments=("Burgerzaken",), outcome="received",
                   duration=None, agent=None)
    record(store, letter.model_copy(update={"source": letter.source.model_copy(
        update={"uri": "burgerzaken/brief.pdf"})}))
    links = {e.subject: e.source_link for e in opened(store).timeline}
    assert links["subject m"] == link and links["subject b"] is None
    assert links["subject l"] == f"/api/contacts/{letter.event_id}/scan"  # never the blob name or a SAS URL


class Blobs:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def read(self, name: str) -> bytes | None:
        return self.files.get(name)

    def arrived(self, name: str):
        return None


def test_a_scan_is_served_only_with_need_to_know_and_every_opening_is_audited(store):
    letter = event("l", channel="post", departments=("Sociale dienst",), outcome="received", duration=None,
                   agent=None)
    record(store, letter.model_copy(update={"source": letter.source.model_copy(
        update={"uri": "socialedienst/brief.pdf"})}))
    blobs = Blobs({"socialedienst/brief.pdf": b"%PDF-1.7 scan"})
    assert open_scan(store.uow(), blobs, letter.event_id, actor="els", reason="follow-up") == b"%PDF-1.7 scan"
    refused = open_scan(store.uow(), blobs, letter.event_id, actor="piet", reason="curious",
                        can_see=lambda departments: "Sociale dienst" not in departments)
    assert refused is None
    with store.uow() as uow:
        scans = [(e.actor, e.reason) for e in uow.ledger.audit_entries() if e.action == "scan"]
    assert scans == [("els", "follow-up")]
