"""GET /api/ui: the static shell (anonymous) with a strict content policy; only known assets are served."""
from __future__ import annotations

import pytest

from tests.functions.conftest import built_functions
from tests.functions.ops_support import request


@pytest.fixture
def ui(services):
    return built_functions()["ui"].get_user_function()


def test_the_shell_is_dutch_by_default_and_forbids_inline_script(ui):
    response = ui(request("GET", "ui", route_params={}))
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_body().decode()
    assert '<html lang="nl">' in page and "Opzoeken" in page
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in page  # only the external, same-origin script


@pytest.mark.parametrize("asset, mimetype", [("app.js", "text/javascript"), ("app.css", "text/css")])
def test_the_script_and_style_are_served_with_their_types(ui, asset, mimetype):
    response = ui(request("GET", f"ui/{asset}", route_params={"file": asset}))
    assert (response.status_code, response.mimetype) == (200, mimetype)


@pytest.mark.parametrize("name", ["../settings.py", "__init__.py", "index.htm", "static/app.js"])
def test_anything_else_is_not_found(ui, name):
    assert ui(request("GET", f"ui/{name}", route_params={"file": name})).status_code == 404


def test_the_script_never_writes_html_from_data(services):
    from importlib import resources

    script = resources.files("functions.static").joinpath("app.js").read_text()
    assert "innerHTML" not in script.replace("never innerHTML", "") and "insertAdjacentHTML" not in script
