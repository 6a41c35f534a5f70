"""A webhook that cannot be fooled, over real HTTP: forged notifications are discarded and counted,
rich notifications from the simulated tenant (its own keys, its own JWKS) are verified behind the
queue and captured without reading the message, and a forged rich one never reaches the store."""
from __future__ import annotations

import json
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from devhost.tenant.odata import APP_ID
from devhost.tenant.rich import encrypt
from handlers.client_state import client_state_for
from tests.e2e.catch_up_env import MAILBOX, running_loket, wait_for

TENANT = "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b"
CERTIFICATE = Path(__file__).resolve().parents[1] / "fixtures" / "rich" / "certificate.pem"


def rich_settings(tenant) -> dict:
    return {"GRAPH_RICH_CERTIFICATE_PATH": CERTIFICATE, "GRAPH_CLIENT_ID": APP_ID,
            "GRAPH_JWKS_URL": f"{tenant.root_url}/common/discovery/v2.0/keys"}


@pytest.fixture
def env(tmp_path):
    with running_loket(tmp_path, tenant_settings=rich_settings) as env:
        env.services.maintain_subscriptions()
        yield env


def mail_subscription(env) -> dict:
    return next(s for s in env.graph_subscriptions() if s["resource"].startswith(f"users/{MAILBOX}/messages"))


def post(env, body: dict | bytes) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(f"{env.url}/api/graph/notifications", content=content, timeout=30,
                      headers={"Content-Type": "application/json"})


def item(sub_id: str, client_state: str, **more) -> dict:
    return {"subscriptionId": sub_id, "clientState": client_state, "changeType": "created",
            "resource": f"Users/{MAILBOX}/Messages/AAMk-forged", "tenantId": TENANT,
            "resourceData": {"@odata.type": "#Microsoft.Graph.Message", "id": "AAMk-forged"}, **more}


def test_the_mail_subscription_asks_for_resource_data_with_every_field_the_normaliser_reads(env):
    sub = mail_subscription(env)
    assert sub["includeResourceData"] is True and sub["encryptionCertificateId"] == "loket-rich"
    assert "$select=id,internetMessageId," in sub["resource"] and "internetMessageHeaders" in sub["resource"]
    assert "$expand=singleValueExtendedProperties($filter=id eq 'String 0x001A')" in sub["resource"]


def test_a_rich_notification_is_verified_and_captured_without_reading_the_message(env):
    never_read = {"path": "/messages/", "method": "GET", "status": 404, "code": "ErrorItemNotFound",
                  "times": 1000}
    env.sim("POST", "/_sim/faults", json=never_read)
    env.add_mail(MAILBOX, "<rich@telenet.be>", sender="rich@telenet.be")
    assert wait_for(lambda: env.contacts()), "the rich notification was not captured"
    assert env.services.subscriptions.discards() == {}
    remaining = env.sim("GET", "/_sim/faults").json()["faults"][0]["times"]
    assert remaining == 1000  # Loket never asked Graph for the message


def test_forged_notifications_are_discarded_counted_and_never_stored(env):
    sub = mail_subscription(env)
    nonce = env.services.subscriptions.get(sub["id"]).nonce
    genuine_state = client_state_for(env.services.client_state_key, nonce)
    assert post(env, {"value": [item(sub["id"], "wrong")] * 3}).status_code == 202  # counted per item
    assert post(env, {"value": [item("no-such-subscription", genuine_state)]}).status_code == 202
    # refused by the host while reading, before Loket runs (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT does the same
    # in Azure), so never counted among the discards
    assert post(env, b"x" * (1024 * 1024 + 1)).status_code == 413
    assert post(env, b"{not json").status_code == 400
    # a rich notification with the right clientState (a leaked secret) but a token Graph never signed
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode({"aud": APP_ID, "iss": f"https://sts.windows.net/{TENANT}/",
                        "appid": "0bf30f3b-4a52-48df-9a82-234910c4a086", "exp": 4102444800},
                       stranger, algorithm="RS256", headers={"kid": "forged"})
    content = encrypt(sub["encryptionCertificate"], "loket-rich",
                      {"internetMessageId": "<forged@evil.example>", "from": {"emailAddress": {
                          "address": "forged@evil.example"}}, "toRecipients": [], "receivedDateTime":
                          "2026-11-28T10:00:00Z", "parentFolderId": "x", "isDraft": False})
    forged = {"value": [item(sub["id"], genuine_state, encryptedContent=content)],
              "validationTokens": [token]}
    assert post(env, forged).status_code == 202  # the webhook answers first; the check is behind the queue
    expected = {"unknown_subscription": 1, "wrong_client_state": 3, "rich_unknown_signing_key": 1,
                "malformed_body": 1}
    discards = env.services.subscriptions.discards
    assert wait_for(lambda: discards() == expected), discards()
    assert env.contacts() == []
    assert env.services.bus.peek("mail-notifications", dead_letter=True) == []
