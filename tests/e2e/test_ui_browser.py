"""The web page in a real browser (Debian's Chromium, driven by Playwright) against the local host:
look someone up, see the timeline, see a dead letter, replay it, see it captured; `<script>` stays text."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import azure.functions as func
import pytest

import bootstrap
from adapters.clock import MovableClock
from adapters.store.migrate import upgrade
from devhost.local_host import LocalHost
from errors import PermanentError
from functions import blueprints, consumers
from handlers.crm import record_contact
from handlers.ports.store import IdentifierType
from handlers.publishing import publish_events
from schemas.contact_event import Agent, Direction
from settings import PROJECT_ROOT, Settings
from tests.contract.store_backends import T0, citizen, event

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
CHROMIUM = os.environ.get("LOKET_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
API_KEY = "browser-test-key"
JAN = citizen("Jan Peeters", "jan.peeters@example.be", "+32475123456")
EVIL = "<script>window.pwned = 1</script><img src=x onerror=window.pwned=2>"


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, bootstrap.Services]]:
    settings = Settings(LOKET_DATA_DIR=tmp_path, LOKET_API_KEY=API_KEY, CALL_SETTLE_SECONDS=5)
    upgrade(settings.database_url)
    services = bootstrap.build(settings, clock=MovableClock.install(tmp_path))
    bootstrap.set_services(services)
    record_contact(event("c1", who=JAN, at=T0, agent="els"), services.uow(), services.now())
    record_contact(
        event(
            "m1",
            who=JAN,
            channel="mail",
            at=T0.replace(hour=11),
            departments=("Onthaal",),
            outcome="received",
            agent=None,
        ).model_copy(update={"subject": EVIL}),
        services.uow(),
        services.now(),
    )
    seed_front_desk(services)
    stuck = event("c2", who=JAN, at=T0.replace(hour=14), departments=("Omgeving",), agent="piet")
    bug = {"present": True}

    def record_with_a_bug(ev, uow, now=None, **options):
        if bug["present"] and ev.event_id == stuck.event_id:
            raise PermanentError("a contact this version cannot store", reason="UnsupportedContact")
        return record_contact(ev, uow, now, **options)

    monkeypatch.setattr(consumers, "record_contact", record_with_a_bug)
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    for blueprint in blueprints():
        app.register_functions(blueprint)
    local = LocalHost(app, settings, services.bus, services.clock)
    port = local.start(0)
    try:
        publish_events(services.bus, settings.contact_events_topic, [stuck])  # poisoned in plain mode:
        eventually(lambda: services.bus.peek("contact-events/crm", dead_letter=True))  # 10 deliveries, DLQ
        bug["present"] = False  # the fix is deployed; the operator replays
        yield f"http://127.0.0.1:{port}", services
    finally:
        local.stop()
        bootstrap.set_services(None)
        services.close()


NELE = citizen("Nele Vandenbroeck", "nele.vdb@telenet.be", "+32496112233")
EVAS = [citizen("Eva Stevens", f"eva{i}@{domain}", f"+3247{i}000{i}{i}{i}") for i, domain in
        enumerate(("telenet.be", "skynet.be", "gmail.com"), start=1)]


def seed_front_desk(services) -> None:
    """Namesakes, a name typed surname first, and a missed call answered by a colleague's call-back."""
    def add(ev):
        record_contact(ev, services.uow(), services.now())

    for i, eva in enumerate(EVAS):
        add(event(f"eva{i}", who=eva, at=T0.replace(day=3 + i)))
    add(event("nele-missed", who=NELE, at=T0.replace(day=10), outcome="missed", agent=None, duration=0))
    callback = event("nele-callback", who=NELE, at=T0.replace(day=10, hour=11), departments=(),
                     agent="tine", outcome="answered")
    tine = Agent(id="tine", display_name="Tine Wouters", upn="tine.wouters@stad.example")
    add(callback.model_copy(update={"direction": Direction.OUTBOUND, "agent": tine}))
    queue_call = event("tine-queue", who=citizen("Piet Maes", "piet@example.be", "+32470998877"),
                       departments=("Omgeving",), at=T0.replace(day=1))
    add(queue_call.model_copy(update={"agent": tine}))  # Tine answers Omgeving's queue


@pytest.fixture
def page():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


def look_up(page, email: str) -> None:
    page.select_option("#query-kind", "email")
    page.fill("#query-value", email)
    page.fill("#reason", "citizen at the desk")
    page.press("#reason", "Enter")  # the keyboard submits the form
    playwright.expect(page.locator("#lookup-status")).to_contain_text("1")


def captured(services, event_id) -> int:
    with services.uow() as uow:
        (pid,) = uow.parties.find(IdentifierType.EMAIL, JAN.email, 5)
        return sum(e.event_id == event_id for e in uow.contacts.timeline(pid))


def test_look_up_then_replay_a_dead_letter_and_see_it_captured(host, page, tmp_path, caplog):
    base, services = host
    failures = [r for r in caplog.get_records("setup") if r.name == "devhost.servicebus_runner"]
    assert len(failures) >= 2  # the poisoned message was delivered until dead-lettered...
    assert sum(bool(r.exc_info) for r in failures) == 1  # ...with one traceback, then one line each
    expect = playwright.expect
    page.goto(base + "/")  # the local host redirects to /api/ui
    assert page.url.endswith("/api/ui")
    page.fill("#credential", API_KEY)
    page.dispatch_event("#credential", "change")

    look_up(page, JAN.email)
    timeline = page.locator(".party table").nth(1)
    expect(timeline).to_contain_text("Burgerzaken")
    expect(timeline).to_contain_text("Agent els")
    expect(timeline).to_contain_text("beantwoord")  # outcome, channel, direction: Dutch from the catalogue
    expect(timeline).to_contain_text("telefoon")
    expect(timeline).to_contain_text("binnenkomend")
    expect(page.locator("#zone")).to_have_text("Tijden in Europe/Brussels")
    expect(timeline).to_contain_text("2/11/2026, 10:00")  # 09:00 UTC shown in Brussels time (CET)
    expect(timeline.get_by_text(EVIL, exact=True)).to_have_count(1)  # shown as text, never run
    assert page.evaluate("window.pwned") is None
    assert page.locator("#results script, #results img").count() == 0
    expect(page.locator(".party table").first).to_contain_text("Onthaal")  # helped before

    page.focus("#tab-lookup")
    page.keyboard.press("ArrowRight")  # tabs work from the keyboard
    expect(page.locator("#ops")).to_be_visible()
    dead = page.locator("#dead-letters tbody tr")
    expect(dead).to_have_count(1)
    expect(dead).to_contain_text("contact-events/crm")
    expect(dead).to_contain_text("UnsupportedContact")
    expect(page.locator("#queues")).to_contain_text("UnsupportedContact ×1")  # a code it does not know: as is
    expect(page.locator("#queues")).to_contain_text("let op (mislukte berichten)")
    expect(page.locator("#ops h2").nth(1)).to_have_text("Mislukte berichten")
    page.screenshot(path=str(_screenshot_path(tmp_path, "ops")), full_page=True)
    assert serious_accessibility_violations(page) == []  # the operators' view

    dead.get_by_role("button").click()  # replay asks for confirmation and a reason first
    dialog = page.locator("#replay-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("contact-events/crm")
    assert serious_accessibility_violations(page) == []  # the replay dialog
    page.click("#replay-go")  # no reason given: nothing happens yet
    expect(dialog).to_be_visible()
    page.fill("#replay-reason", "fix deployed")
    page.press("#replay-reason", "Enter")
    expect(page.locator("#job-status")).to_contain_text("Klaar: 1", timeout=30_000)
    expect(page.locator("#dead-letters")).to_contain_text("Geen mislukte berichten")
    assert any(e.reason == "fix deployed" for e in audit_entries(services))

    page.focus("#tab-ops")
    page.keyboard.press("ArrowLeft")
    look_up(page, JAN.email)
    expect(page.locator(".party table").nth(1)).to_contain_text("Omgeving", timeout=30_000)
    assert captured(services, event("c2").event_id) == 1
    page.screenshot(path=str(_screenshot_path(tmp_path, "lookup")), full_page=True)


AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serious_accessibility_violations(page) -> list[str]:
    """axe-core (npm, pinned in .ci/run) on the page as it is now: WCAG 2.1 AA rules, serious or critical.

    Injected through the DevTools protocol (page.evaluate), which the page's CSP does not govern."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm install axe-core; .ci/run installs it)")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    found = page.evaluate("async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
                          ".violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))",
                          WCAG_21_AA)
    return [f"{v['id']} ({v['impact']}, {v['nodes']} nodes)" for v in found
            if v["impact"] in ("serious", "critical")]


def search(page, kind: str, value: str) -> None:
    page.select_option("#query-kind", kind)
    page.fill("#query-value", value)
    page.fill("#reason", "citizen at the desk")
    page.click("#search")


def test_namesakes_are_told_apart_and_a_surname_first_name_finds_the_call_back_that_helped(host, page):
    base, _ = host
    expect = playwright.expect
    page.goto(base + "/api/ui")
    page.fill("#credential", API_KEY)
    page.dispatch_event("#credential", "change")

    search(page, "name", "eva stevens")
    expect(page.locator("#lookup-status")).to_have_text("Gevonden: 3")
    cards = page.locator(".party-card")
    expect(cards).to_have_count(3)
    expect(cards.nth(0)).to_contain_text("e•••@")  # masked: the first letter and the domain
    expect(cards.nth(0)).to_contain_text("Contacten: 1")
    expect(cards.nth(0)).to_contain_text("Laatste contact")
    assert "eva1@telenet.be" not in page.content() and "+32471000111" not in page.content()
    masked = {cards.nth(i).locator(".identifiers").inner_text() for i in range(3)}
    assert len(masked) == 3  # three namesakes, three different masked identities
    assert serious_accessibility_violations(page) == []  # the result list
    cards.filter(has_text="e•••@skynet.be").get_by_role("button").click()
    expect(page.locator(".party .identifiers")).to_contain_text("eva2@skynet.be")  # opened: in full

    search(page, "name", "Van den Broeck Nele")
    party = page.locator(".party")
    expect(party.locator("h3")).to_have_text("Nele Vandenbroeck")
    summary = party.locator("table").first
    expect(summary).to_contain_text("Omgeving")  # the call-back, attributed to Tine's department
    expect(summary).to_contain_text("Tine Wouters")
    expect(summary).to_contain_text("beantwoord")
    timeline = party.locator("table").nth(1)
    expect(timeline.locator("tr", has_text="gemist")).to_contain_text("beantwoord")  # its thread
    assert serious_accessibility_violations(page) == []  # an opened party: summary, filters, timeline
    page.select_option("#filter-channel", "phone")
    expect(timeline.locator("tbody tr")).to_have_count(2)
    page.select_option("#filter-department", "Burgerzaken")
    expect(page.locator(".party table").nth(1).locator("tbody tr")).to_have_count(1)


def test_the_accessibility_check_finds_a_violation_put_there_on_purpose(host, page):
    base, _ = host
    page.goto(base + "/api/ui")
    playwright.expect(page.locator("body")).to_have_attribute("data-ready", "true")
    assert serious_accessibility_violations(page) == []
    page.evaluate("""() => {
        const field = document.createElement('input');  // no label: critical under WCAG 2.1 A
        document.querySelector('main').appendChild(field);
        document.querySelector('header').style.background = '#777';  // white on grey: poor contrast
    }""")
    found = " ".join(serious_accessibility_violations(page))
    assert "label" in found and "color-contrast" in found


def test_the_page_speaks_english_on_request_and_asks_for_a_key(host, page):
    base, _ = host
    page.goto(base + "/api/ui")
    page.select_option("#language", "en")
    playwright.expect(page.locator("#tab-lookup")).to_have_text("Look-up")
    playwright.expect(page.locator("#search")).to_have_text("Search")
    look = page.locator("#lookup-status")
    page.fill("#query-value", JAN.email)
    page.fill("#reason", "desk")
    page.click("#search")
    playwright.expect(look).to_contain_text("API key or token")


def audit_entries(services):
    from sqlalchemy import select

    from adapters.store.tables_ops import AuditEntry

    with services.uow() as uow:
        rows = uow.session.scalars(select(AuditEntry)).all()
        uow.session.expunge_all()
    return rows


def eventually(check, within: float = 60.0):
    """Wait until `check()` is truthy (a bound on waiting, not a speed assertion)."""
    deadline = time.monotonic() + within
    while not (result := check()):
        assert time.monotonic() < deadline, "the host never got there"
        time.sleep(0.05)
    return result


def _screenshot_path(tmp_path: Path, name: str) -> Path:
    """In tmp normally; LOKET_UPDATE_SCREENSHOT=1 refreshes the README's picture (the look-up view)."""
    if name == "lookup" and os.environ.get("LOKET_UPDATE_SCREENSHOT") == "1":
        return PROJECT_ROOT / "docs" / "screenshot-ui.png"
    return tmp_path / f"{name}.png"
