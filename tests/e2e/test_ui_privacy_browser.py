"""The page's Privacy tab in a real browser: request an erasure, see the key refused as its own second
person, check the audit chain and read the audit of the party."""
# ruff: noqa: F811 - fixtures imported from test_ui_browser

from __future__ import annotations

from handlers.ports.store import IdentifierType
from tests.e2e.test_ui_browser import API_KEY, JAN, host, page, playwright  # noqa: F401 - fixtures


def test_the_privacy_tab_requests_an_erasure_refuses_the_same_person_and_verifies_the_audit(host, page):
    base, services = host
    expect = playwright.expect
    with services.uow() as uow:
        (pid,) = uow.parties.find(IdentifierType.EMAIL, JAN.email, 5)
    page.goto(base + "/api/ui")
    page.fill("#credential", API_KEY)
    page.dispatch_event("#credential", "change")
    page.click("#tab-privacy")
    expect(page.locator("#privacy")).to_be_visible()
    expect(page.locator("#erasure-requests tbody")).to_contain_text("Geen openstaande verzoeken.")

    page.fill("#erase-party", str(pid))
    page.fill("#erase-reason", "verzoek burger 2026-18")
    page.press("#erase-reason", "Enter")
    status = page.locator("#privacy-status")
    expect(status).to_contain_text("Verzoek 1 geregistreerd")
    row = page.locator("#erasure-requests tbody tr")
    expect(row).to_contain_text("local-api-key")
    page.fill("#decision-reason", "identiteit gecontroleerd")
    row.get_by_role("button").first.click()  # approve with the same key: a second person is needed
    expect(status).to_contain_text("second person")
    with services.uow() as uow:
        assert uow.parties.get(pid) is not None

    page.click("#verify-chain")
    expect(status).to_contain_text("Auditketen intact")
    page.fill("#audit-party", str(pid))
    page.click("#audit-form button[type=submit]")
    expect(page.locator("#audit-entries")).to_contain_text("erase_requested")
    expect(page.locator("#audit-entries")).to_contain_text("verzoek burger 2026-18")
