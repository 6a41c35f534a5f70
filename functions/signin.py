"""GET /api/ui/signin.json: how the page signs in (served by functions/ui.py, anonymous like the shell).

In Azure, with the "Loket API" app registration (LOKET_API_CLIENT_ID, docs/tenant-setup.md step 5),
the page signs in with MSAL (authorization code + PKCE, redirect to /api/ui) and asks for the API's
delegated scope; the token's app roles then decide what the colleague may do. Without a registration
(locally) the page keeps the API key field. Public values only: no secret exists in a SPA flow.
"""
from __future__ import annotations

from settings import Settings

API_SCOPE = "Loket.Access"  # infra/tenant/api-registration.json, oauth2PermissionScopes
REDIRECT_PATH = "/api/ui"  # infra/tenant/api-registration.json, spa.redirectUriPath
LOGIN_HOST = "https://login.microsoftonline.com"
MSAL_VERSION = "5.31.0"  # functions/static/msal-browser.min.js (@azure/msal-browser, MIT)


def signin_config(settings: Settings) -> dict:
    client_id = settings.api_client_id
    tenant = settings.api_tenant_id or settings.graph_tenant_id
    if not client_id or not tenant:
        return {"mode": "key"}
    return {
        "mode": "entra",
        "client_id": client_id,
        "authority": f"{LOGIN_HOST}/{tenant}",
        "scopes": [f"api://{client_id}/{API_SCOPE}"],
        "redirect_path": REDIRECT_PATH,
        "library": "msal-browser.min.js",
    }
