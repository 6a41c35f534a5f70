"""The page signs in with MSAL in a real browser (Debian's Chromium, Playwright) against the local host.

Entra cannot be reached here, so the one thing replaced is the MSAL library itself: a stand-in with
MSAL's interface (PublicClientApplication, handleRedirectPromise, acquireTokenSilent, loginRedirect)
that records what the page asks for and hands out a token signed by the test key. The rest is real:
signin.json, the page's hook, the bearer header app.js sends, the API's token check and the look-up.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import azure.functions as func
import pytest

import bootstrap
from adapters.clock import MovableClock
from adapters.store.migrate import upgrade
from devhost.local_host import LocalHost
from functions import blueprints
from handlers.crm import record_contact
from settings import Settings
from tests.contract.store_backends import T0, citizen, event
from tests.e2e.test_ui_browser import CHROMIUM, CHROMIUM_ARGS
from tests.functions.ops_support import AUDIENCE, STAFF, install_verifier, token

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")
TENANT = "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b"
JAN = citizen("Jan Peeters", "jan.peeters@example.be", "+32475123456")

FAKE_MSAL = """
window.msalCalls = [];
window.msal = {
  InteractionRequiredAuthError: class extends Error {},
  PublicClientApplication: class {
    constructor(config) { window.msalCalls.push(["new", config]); }
    async initialize() { window.msalCalls.push(["initialize"]); }
    async handleRedirectPromise() { return null; }
    getAllAccounts() { return window.msalAccounts; }
    async acquireTokenSilent(request) {
      window.msalCalls.push(["acquireTokenSilent", request.scopes, request.account.username]);
      return { accessToken: window.msalToken };
    }
    async loginRedirect(request) { window.msalCalls.push(["loginRedirect", request.scopes]); }
  },
};
"""


def start_host(tmp_path: Path, **settings_values) -> tuple[LocalHost, bootstrap.Services, str]:
    settings = Settings(LOKET_DATA_DIR=tmp_path, LOKET_API_KEY="browser-test-key", **settings_values)
    upgrade(settings.database_url)
    services = bootstrap.build(settings, clock=MovableClock.install(tmp_path))
    bootstrap.set_services(services)
    record_contact(event("c1", who=JAN, at=T0, agent="els"), services.uow(), services.now())
    app = func.FunctionApp(http_auth_level=func.AuthLevel.FUNCTION)
    for blueprint in blueprints():
        app.register_functions(blueprint)
    local = LocalHost(app, settings, services.bus, services.clock)
    return local, services, f"http://127.0.0.1:{local.start(0)}"


@pytest.fixture
def entra_host(tmp_path) -> Iterator[str]:
    local, services, url = start_host(tmp_path, LOKET_API_CLIENT_ID=AUDIENCE, LOKET_API_TENANT_ID=TENANT)
    install_verifier(services)  # the tenant's keys replaced by the test key
    try:
        yield url
    finally:
        local.stop()
        bootstrap.set_services(None)
        services.close()


@pytest.fixture
def local_host(tmp_path) -> Iterator[str]:
    local, services, url = start_host(tmp_path)
    try:
        yield url
    finally:
        local.stop()
        bootstrap.set_services(None)
        services.close()


@pytest.fixture
def browser_page():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (.ci/run installs Debian's chromium)")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.route("**/api/ui/msal-browser.min.js",
                   lambda route: route.fulfill(body=FAKE_MSAL, content_type="text/javascript"))
        yield page
        browser.close()


def open_signed_in(page, url: str, account: dict | None, access_token: str = "") -> None:
    page.add_init_script(f"window.msalAccounts = {json.dumps([account] if account else [])};"
                         f"window.msalToken = {json.dumps(access_token)};")
    page.goto(url + "/api/ui")
    page.evaluate("window.loketSignInReady")


def test_a_signed_in_colleague_looks_up_with_the_token_msal_gives_sent_as_a_bearer(entra_host, browser_page):
    page, expect = browser_page, playwright.expect
    sent = []
    page.on("request", lambda r: sent.append(r.headers) if r.url.endswith("/api/contacts/search") else None)
    open_signed_in(page, entra_host, {"username": "els@stad.example"}, token(*STAFF, user="els@stad.example"))
    calls = page.evaluate("window.msalCalls")
    (_, config), _, (_, scopes, user) = calls
    assert config["auth"] == {"clientId": AUDIENCE, "authority": f"https://login.microsoftonline.com/{TENANT}",
                              "redirectUri": entra_host + "/api/ui"}
    assert scopes == [f"api://{AUDIENCE}/Loket.Access"] and user == "els@stad.example"
    expect(page.locator("#credential")).to_be_hidden()
    expect(page.locator("#signin")).to_contain_text("els@stad.example")
    page.select_option("#query-kind", "email")
    page.fill("#query-value", JAN.email)
    page.fill("#reason", "citizen at the desk")
    page.press("#reason", "Enter")
    expect(page.locator("#lookup-status")).to_contain_text("1")  # the API accepted the token
    (headers,) = sent
    assert headers["authorization"].startswith("Bearer ey") and "x-functions-key" not in headers


def test_without_an_account_the_page_offers_sign_in_and_redirects_for_the_apis_scope(
    entra_host, browser_page,
):
    page = browser_page
    open_signed_in(page, entra_host, None)
    page.click("#signin-button")
    page.wait_for_function("window.msalCalls.some(c => c[0] === 'loginRedirect')")
    login = [c for c in page.evaluate("window.msalCalls") if c[0] == "loginRedirect"]
    assert login == [["loginRedirect", [f"api://{AUDIENCE}/Loket.Access"]]]
    assert not [c for c in page.evaluate("window.msalCalls") if c[0] == "acquireTokenSilent"]


def test_locally_the_page_keeps_the_api_key_field_and_never_loads_msal(local_host, browser_page):
    page = browser_page
    loaded = []
    page.on("request", lambda r: loaded.append(r.url) if "msal" in r.url else None)
    page.goto(local_host + "/api/ui")
    page.evaluate("window.loketSignInReady")
    playwright.expect(page.locator("#credential")).to_be_visible()
    assert loaded == [] and page.evaluate("window.loketSignIn.config") == {"mode": "key"}
