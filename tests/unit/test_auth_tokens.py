"""Entra ID bearer tokens: signature, issuer, audience and expiry are checked; roles and groups are read."""

from __future__ import annotations

import jwt
import pytest

from handlers.auth import local_principal, visibility
from handlers.auth_tokens import InvalidToken, TokenVerifier, principal_of
from schemas.auth import OPERATOR_ROLE, STAFF_ROLE, Principal
from settings import Settings
from tests.functions.ops_support import AUDIENCE, ISSUER, SOCIAL_GROUP, TENANT, other_key, signing_key, token

RESTRICTED = {"Sociale dienst": SOCIAL_GROUP}


@pytest.fixture
def verifier() -> TokenVerifier:
    public = signing_key().public_key()
    return TokenVerifier([AUDIENCE, f"api://{AUDIENCE}"], ISSUER, lambda t: public)


@pytest.mark.parametrize("role", [STAFF_ROLE, OPERATOR_ROLE])
def test_a_valid_token_gives_its_role_and_names_the_user_for_the_audit(verifier, role):
    who = verifier.verify(token(role, user="els@stad.example"))
    assert who.roles == {role} and who.actor == "els@stad.example"
    assert who.has(role) and not who.all_departments


def test_the_application_id_uri_is_an_accepted_audience(verifier):
    assert verifier.verify(token(STAFF_ROLE, audience=f"api://{AUDIENCE}")).has(STAFF_ROLE)


@pytest.mark.parametrize(
    "bad",
    [
        lambda: token(STAFF_ROLE, expires_in=-600),
        lambda: token(STAFF_ROLE, audience="api://someone-else"),
        lambda: token(STAFF_ROLE, issuer="https://login.microsoftonline.com/other-tenant/v2.0"),
        lambda: token(STAFF_ROLE, key=other_key()),
        lambda: jwt.encode(
            {"iss": ISSUER, "aud": AUDIENCE, "exp": 4_000_000_000, "roles": [STAFF_ROLE]},
            "a-shared-secret-of-at-least-32-bytes!",
            algorithm="HS256",
        ),
        lambda: "not.a.token",
        lambda: "",
    ],
    ids=["expired", "audience", "issuer", "foreign-key", "hs256", "garbage", "empty"],
)
def test_a_token_that_is_not_ours_or_no_longer_valid_is_refused(verifier, bad):
    with pytest.raises(InvalidToken):
        verifier.verify(bad())


def test_without_a_client_id_no_tokens_are_accepted_and_with_one_the_tenant_s_keys_are_used():
    assert TokenVerifier.from_settings(Settings(GRAPH_TENANT_ID=TENANT)) is None
    built = TokenVerifier.from_settings(
        Settings(GRAPH_TENANT_ID=TENANT, LOKET_API_CLIENT_ID=f"api://{AUDIENCE}")
    )
    assert built is not None
    assert built.issuer == ISSUER and built.audiences == [AUDIENCE, f"api://{AUDIENCE}"]


def test_an_application_token_is_named_by_its_app_id():
    who = principal_of({"azp": "app-123", "roles": [OPERATOR_ROLE]})
    assert who.actor == "app-123" and who.has(OPERATOR_ROLE)


def test_a_restricted_department_is_visible_only_to_its_group_and_to_the_local_key():
    outsider = Principal(actor="a", roles=frozenset({STAFF_ROLE}))
    member = Principal(actor="b", roles=frozenset({STAFF_ROLE}), groups=frozenset({SOCIAL_GROUP}))
    for who, sees in ((outsider, False), (member, True), (local_principal(), True)):
        can_see = visibility(who, RESTRICTED)
        assert can_see(["Sociale dienst"]) is sees
        assert can_see(["Onthaal", "Sociale dienst"]) is sees
        assert can_see(["Burgerzaken"]) is True


def test_keys_come_from_the_jwks_address_and_are_fetched_once_for_many_tokens():
    import http.server
    import json
    import threading

    from jwt.algorithms import RSAAlgorithm

    jwk = json.loads(RSAAlgorithm.to_jwk(signing_key().public_key()))
    document = json.dumps({"keys": [{**jwk, "kid": "test-key", "use": "sig", "alg": "RS256"}]}).encode()
    fetches = []

    class Keys(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            fetches.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Keys)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = Settings(
            LOKET_API_CLIENT_ID=AUDIENCE,
            LOKET_API_TENANT_ID=TENANT,
            LOKET_API_JWKS_URL=f"http://127.0.0.1:{server.server_port}/keys",
        )
        verifier = TokenVerifier.from_settings(settings)
        assert verifier.verify(token(STAFF_ROLE)).has(STAFF_ROLE)
        assert verifier.verify(token(OPERATOR_ROLE)).has(OPERATOR_ROLE)
        with pytest.raises(InvalidToken):
            verifier.verify(token(STAFF_ROLE, key=other_key()))
    finally:
        server.shutdown()
    assert fetches == ["/keys"]  # fetched once, then cached
