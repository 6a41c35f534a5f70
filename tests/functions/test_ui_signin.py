"""The page's sign-in configuration (GET /api/ui/signin.json) and the vendored MSAL it loads: Entra
(authorization code + PKCE) where the deployment has the Loket API registration, the API key locally."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from functions.signin import API_SCOPE, MSAL_VERSION, REDIRECT_PATH
from settings import PROJECT_ROOT
from tests.functions.conftest import built_functions
from tests.functions.ops_support import request

CLIENT = "8b7c6d5e-4f3a-4b2c-9d1e-0f1a2b3c4d5e"
TENANT = "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b"
MANIFEST = json.loads((PROJECT_ROOT / "infra" / "tenant" / "api-registration.json").read_text())


@pytest.fixture
def ui(services):
    return built_functions()["ui"].get_user_function()


def signin(ui) -> dict:
    response = ui(request("GET", "ui/signin.json", route_params={"file": "signin.json"}))  # no credential
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_body())


def test_locally_without_an_api_registration_the_page_keeps_the_api_key(ui):
    assert signin(ui) == {"mode": "key"}


def test_with_the_api_registration_the_page_signs_in_at_the_tenant_for_the_apis_delegated_scope(ui, services):
    services.settings.api_client_id = CLIENT
    services.settings.api_tenant_id = TENANT
    config = signin(ui)
    assert config == {
        "mode": "entra", "client_id": CLIENT, "authority": f"https://login.microsoftonline.com/{TENANT}",
        "scopes": [f"api://{CLIENT}/Loket.Access"], "redirect_path": "/api/ui",
        "library": "msal-browser.min.js",
    }


def test_the_tenant_falls_back_to_the_graph_tenant_as_the_token_verifier_does(ui, services):
    services.settings.api_client_id = CLIENT
    services.settings.api_tenant_id = None
    services.settings.graph_tenant_id = TENANT
    assert signin(ui)["authority"].endswith("/" + TENANT)


def test_scope_and_redirect_are_the_ones_the_tenant_set_up_registers():
    assert API_SCOPE in [s["value"] for s in MANIFEST["api"]["oauth2PermissionScopes"] if s["isEnabled"]]
    assert REDIRECT_PATH == MANIFEST["spa"]["redirectUriPath"]


def test_the_vendored_msal_is_the_pinned_release_with_its_licence_and_is_served(ui):
    static = resources.files("functions.static")
    library = static.joinpath("msal-browser.min.js").read_text()
    assert library.startswith(f"/*! @azure/msal-browser v{MSAL_VERSION} ")
    assert static.joinpath("msal-browser.LICENSE.txt").read_text().startswith("MIT License")
    response = ui(request("GET", "ui/msal-browser.min.js", route_params={"file": "msal-browser.min.js"}))
    assert (response.status_code, response.mimetype) == (200, "text/javascript")


def test_the_page_loads_the_sign_in_hook_and_may_reach_only_entras_token_endpoint_beyond_itself(ui):
    page = ui(request("GET", "ui", route_params={}))
    assert '<script src="/api/ui/signin.js" defer></script>' in page.get_body().decode()
    policy = dict(d.strip().split(" ", 1) for d in page.headers["Content-Security-Policy"].split(";"))
    assert policy["connect-src"] == "'self' https://login.microsoftonline.com"
    assert policy["script-src"] == "'self'", "MSAL is served from the app itself, never a CDN"
    hook = ui(request("GET", "ui/signin.js", route_params={"file": "signin.js"}))
    assert (hook.status_code, hook.mimetype) == (200, "text/javascript")
    assert "innerHTML" not in hook.get_body().decode()
