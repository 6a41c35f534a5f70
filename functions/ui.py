"""GET /api/ui: the web page's static shell (anonymous); its data comes from the JSON API.

`GET /api/ui/messages.json` is the page's words (the one catalogue, `schemas/messages.py`) and the
time zone its times are shown in (the capture policy's): no personal data, so anonymous like the shell.
"""
import json
from importlib import resources

import azure.functions as func

bp = func.Blueprint()
ASSETS = {"": ("index.html", "text/html"), "app.js": ("app.js", "text/javascript"),
          "app.css": ("app.css", "text/css"), "privacy.js": ("privacy.js", "text/javascript"),
          # Entra sign-in (functions/signin.py): the hook and the vendored, pinned MSAL library.
          "signin.js": ("signin.js", "text/javascript"),
          "msal-browser.min.js": ("msal-browser.min.js", "text/javascript")}
SECURITY_HEADERS = {
    # Only our own script and style; nothing inline, no framing: a stored subject can never run.
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
        # MSAL redeems the authorization code and refreshes tokens at Entra's token endpoint.
        "connect-src 'self' https://login.microsoftonline.com"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@bp.function_name("ui")
@bp.route(route="ui/{*file}", methods=["GET"], auth_level=func.AuthLevel.ANONYMOUS)
def ui(req: func.HttpRequest) -> func.HttpResponse:
    if (req.route_params.get("file") or "") == "messages.json":
        return _messages()
    if (req.route_params.get("file") or "") == "signin.json":
        return _signin()
    asset = ASSETS.get(req.route_params.get("file") or "")
    if asset is None:
        return func.HttpResponse("not found", status_code=404)
    name, mimetype = asset
    body = resources.files("functions.static").joinpath(name).read_bytes()
    return func.HttpResponse(body, mimetype=mimetype, charset="utf-8", headers=SECURITY_HEADERS)


def _messages() -> func.HttpResponse:
    from bootstrap import get_services
    from schemas.messages import CATALOGUE

    zone = get_services().policy.time_zone
    body = json.dumps({"languages": CATALOGUE, "time_zone": zone}, ensure_ascii=False)
    return func.HttpResponse(body, mimetype="application/json", charset="utf-8", headers=SECURITY_HEADERS)


def _signin() -> func.HttpResponse:
    from bootstrap import get_services
    from functions.signin import signin_config

    body = json.dumps(signin_config(get_services().settings))
    return func.HttpResponse(body, mimetype="application/json", charset="utf-8", headers=SECURITY_HEADERS)
