"""Rich mail notifications: every validation token, then the data signature, then decryption; forgeries
rejected and counted before any data is used, genuine ones captured without reading the message."""
from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.graph.jwks import JwksKeys, parse_jwks
from adapters.graph.jwks_certificate import load_rich_certificate
from devhost.tenant.rich import encrypt
from errors import ConfigurationError
from handlers.capture_mail import MailCapture, capture_mail
from handlers.ports.graph import FolderResolver
from handlers.rich_notifications import (
    GRAPH_CHANGE_TRACKING_APP_ID,
    RichRejected,
    RichVerifier,
    decrypt_content,
)
from schemas.queued_notification import MailNotificationBody

RICH = Path(__file__).resolve().parents[1] / "fixtures" / "rich"
TENANT = "5a1c9d3e-0000-4e6f-9a1b-2c3d4e5f6a7b"
APP = "3c9b6e1a-7d2f-4a8e-9b1c-000000007072"
MAILBOX = "6d2f0a11-0002-4a6b-8c1d-000000000002"
NOW = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)
MESSAGE = {
    "internetMessageId": "<rich-1@telenet.be>", "subject": "Vraag", "bodyPreview": "Beste",
    "from": {"emailAddress": {"name": "Els", "address": "els.vandenbroeck@telenet.be"}},
    "sender": {"emailAddress": {"name": "Els", "address": "els.vandenbroeck@telenet.be"}},
    "toRecipients": [{"emailAddress": {"name": "Burgerzaken", "address": "burgerzaken@stad.example"}}],
    "receivedDateTime": "2026-11-28T11:59:00Z", "parentFolderId": "inbox-id", "isDraft": False,
}


@pytest.fixture(scope="module")
def signer() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def certificate():
    return load_rich_certificate(RICH / "certificate.pem", "loket-rich")


class StaticKeys:
    def __init__(self, keys: dict) -> None:
        self.keys = keys

    async def key(self, kid: str):
        return self.keys.get(kid)


def token(signer, kid: str = "k1", **claims) -> str:
    body = {"aud": APP, "iss": f"https://sts.windows.net/{TENANT}/", "appid": GRAPH_CHANGE_TRACKING_APP_ID,
            "ver": "1.0", "nbf": int(NOW.timestamp()) - 60, "exp": int(NOW.timestamp()) + 3600, **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, signer, algorithm="RS256",
                      headers={"kid": kid})


@pytest.fixture
def verifier(signer, certificate) -> RichVerifier:
    return RichVerifier(keys=StaticKeys({"k1": signer.public_key()}), tenant_id=TENANT, app_id=APP,
                        private_keys={"loket-rich": certificate.private_key}, now=lambda: NOW)


def sealed(certificate, data: dict = MESSAGE) -> dict:
    """What the simulated tenant (and Graph) puts in encryptedContent."""
    return encrypt(certificate.certificate_b64, "loket-rich", data)


def open_(verifier, tokens, content) -> dict:
    return asyncio.run(verifier.open(tokens, content))


def test_a_genuine_rich_notification_opens_to_the_selected_fields(verifier, signer, certificate):
    assert open_(verifier, [token(signer)], sealed(certificate)) == MESSAGE


def test_a_v2_token_names_the_caller_in_azp(verifier, signer, certificate):
    v2 = token(signer, ver="2.0", appid=None, azp=GRAPH_CHANGE_TRACKING_APP_ID,
               iss=f"https://login.microsoftonline.com/{TENANT}/v2.0")
    assert open_(verifier, [v2], sealed(certificate)) == MESSAGE


def test_content_encrypted_with_the_openssl_command_line_decrypts_too():
    cert = load_rich_certificate(RICH / "certificate.pem", "openssl-fixture")
    content = json.loads((RICH / "notification_openssl.json").read_text(encoding="utf-8"))
    plain = json.loads((RICH / "plaintext_openssl.json").read_text(encoding="utf-8"))
    assert decrypt_content(content, {"openssl-fixture": cert.private_key}) == plain


@pytest.mark.parametrize(("claims", "kid", "reason"), [
    ({"exp": int((NOW - dt.timedelta(hours=1)).timestamp())}, "k1", "expired_token"),
    ({"nbf": int((NOW + dt.timedelta(hours=1)).timestamp())}, "k1", "token_not_yet_valid"),
    ({"aud": "someone-else"}, "k1", "wrong_audience"),
    ({"iss": "https://sts.windows.net/another-tenant/"}, "k1", "wrong_issuer"),
    ({"appid": "11111111-2222-3333-4444-555555555555"}, "k1", "wrong_caller"),
    ({"ver": "2.0"}, "k1", "wrong_caller"),  # a v2 token must carry the caller in azp
    ({}, "unknown-kid", "unknown_signing_key"),
    ({"exp": None}, "k1", "malformed_token"),
])
def test_a_forged_or_stale_validation_token_is_rejected(verifier, signer, certificate, claims, kid, reason):
    with pytest.raises(RichRejected) as caught:
        open_(verifier, [token(signer, kid, **claims)], sealed(certificate))
    assert caught.value.reason == reason


def test_a_token_signed_with_another_key_under_a_known_kid_is_rejected(verifier, certificate):
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(RichRejected, match="bad_token_signature"):
        open_(verifier, [token(impostor)], sealed(certificate))


@pytest.mark.parametrize("bad", [
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJSU...",  # the documented (truncated) example token
    jwt.encode({"aud": APP}, "shared-secret-long-enough-for-hmac-sha256!", algorithm="HS256",
               headers={"kid": "k1"}),
    "",
])
def test_malformed_tokens_and_other_algorithms_are_rejected(verifier, certificate, bad):
    with pytest.raises(RichRejected):
        open_(verifier, [bad], sealed(certificate))


def test_every_token_is_checked_not_only_the_first(verifier, signer, certificate):
    with pytest.raises(RichRejected, match="wrong_audience"):
        open_(verifier, [token(signer), token(signer, aud="other")], sealed(certificate))


def test_a_rich_notification_without_tokens_is_rejected(verifier, certificate):
    with pytest.raises(RichRejected, match="no_validation_tokens"):
        open_(verifier, [], sealed(certificate))


def flip(b64: str) -> str:
    raw = bytearray(base64.b64decode(b64))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(("field", "change", "reason"), [
    ("data", flip, "bad_data_signature"),
    ("dataSignature", flip, "bad_data_signature"),
    ("dataKey", flip, "undecryptable_key"),
    ("encryptionCertificateId", lambda _: "someone-elses-cert", "unknown_certificate"),
    ("data", lambda _: "not base64!", "malformed_encrypted_content"),
])
def test_tampered_encrypted_content_is_rejected_before_decryption(verifier, signer, certificate, field,
                                                                   change, reason):
    content = sealed(certificate)
    content[field] = change(content[field])
    with pytest.raises(RichRejected) as caught:
        open_(verifier, [token(signer)], content)
    assert caught.value.reason == reason


def test_content_sealed_for_another_certificate_is_rejected(verifier, signer):
    other = load_rich_certificate(RICH / "certificate.pem", "loket-rich")  # same id, different key below
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(RichRejected, match="undecryptable_key"):
        asyncio.run(RichVerifier(StaticKeys({"k1": signer.public_key()}), TENANT, APP,
                                 {"loket-rich": stranger}, lambda: NOW).open([token(signer)], sealed(other)))


def test_a_certificate_file_without_a_private_key_fails_naming_the_setting(tmp_path):
    pem = (RICH / "certificate.pem").read_text(encoding="ascii")
    only_cert = tmp_path / "cert.pem"
    only_cert.write_text(pem[: pem.index("-----END CERTIFICATE-----") + 25], encoding="ascii")
    with pytest.raises(ConfigurationError, match="GRAPH_RICH_CERTIFICATE_PATH"):
        load_rich_certificate(only_cert, "x")


def test_signing_keys_are_fetched_once_and_refetched_for_an_unknown_kid_at_most_every_few_minutes(signer):
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signer.public_key()))
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        return httpx.Response(200, json={"keys": [{**public, "kid": "k1", "use": "sig"}]})

    keys = JwksKeys("https://keys.example/jwks", transport=httpx.MockTransport(answer))

    async def lookups():
        return [await keys.key("k1") for _ in range(5)] + [await keys.key("forged") for _ in range(5)]

    found = asyncio.run(lookups())
    assert all(k is not None for k in found[:5]) and found[5:] == [None] * 5
    assert len(calls) == 1  # the unknown kids did not hammer the key endpoint


def test_a_jwks_document_keeps_only_rsa_signing_keys(signer):
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signer.public_key()))
    doc = {"keys": [{**public, "kid": "sig"}, {**public, "kid": "enc", "use": "enc"},
                    {"kty": "EC", "kid": "ec"}]}
    assert set(parse_jwks(doc)) == {"sig"}


# --- behind the queue: capture_mail ------------------------------------------------------------------
class FakeGraph:
    def __init__(self) -> None:
        self.message_reads = 0

    async def get_message(self, user_id, message_id, select):
        self.message_reads += 1
        return {**MESSAGE, "id": message_id}

    async def get_mail_folder(self, user_id, folder_id):
        return {"id": f"{folder_id}-id"}  # well-known folders only: the message sits in the inbox


class FakeBus:
    def __init__(self) -> None:
        self.published = []

    def publish(self, entity, messages):
        self.published.extend(messages)


def capture(verifier, policy, note):
    graph, bus, discards = FakeGraph(), FakeBus(), []
    deps = MailCapture(graph=graph, folders=FolderResolver(graph), policy=policy, bus=bus,
                       topic="contact-events", record_skip=lambda skip: None, now=lambda: NOW, rich=verifier,
                       count_discard=discards.append)
    result = asyncio.run(capture_mail(note, deps))
    return result, graph, bus, discards


def note(tokens, content) -> MailNotificationBody:
    return MailNotificationBody(subscription_id="s1", change_type="created", mailbox_user_id=MAILBOX,
                                message_id="AAMk-rich-1", received_at=NOW, encrypted_content=content,
                                validation_tokens=tuple(tokens))


def test_a_verified_rich_notification_is_captured_without_reading_the_message(verifier, signer, certificate,
                                                                              policy):
    result, graph, bus, discards = capture(verifier, policy, note([token(signer)], sealed(certificate)))
    assert graph.message_reads == 0 and discards == []
    [event] = result
    assert event.source.id and event.citizen.email == "els.vandenbroeck@telenet.be"
    assert len(bus.published) == 1


def test_a_rich_notification_lacking_a_field_the_normaliser_needs_falls_back_to_a_read(verifier, signer,
                                                                                     certificate, policy):
    partial = {k: v for k, v in MESSAGE.items() if k != "internetMessageId"}
    result, graph, bus, _ = capture(verifier, policy, note([token(signer)], sealed(certificate, partial)))
    assert graph.message_reads == 1 and len(bus.published) == 1


@pytest.mark.parametrize("forgery", ["audience", "caller", "tampered", "no token"])
def test_a_forged_rich_notification_is_counted_and_nothing_reaches_the_bus(verifier, signer, certificate,
                                                                           policy, forgery):
    tokens = {"audience": [token(signer, aud="x")], "caller": [token(signer, appid="someone")],
              "tampered": [token(signer)], "no token": []}[forgery]
    content = sealed(certificate)
    if forgery == "tampered":
        content["data"] = flip(content["data"])
    result, graph, bus, discards = capture(verifier, policy, note(tokens, content))
    assert result is None and bus.published == [] and graph.message_reads == 0
    assert len(discards) == 1 and discards[0].startswith("rich_")


def test_a_genuine_notification_whose_token_expired_in_the_queue_is_read_from_graph_not_trusted(
        verifier, signer, certificate, policy):
    stale = token(signer, exp=int(NOW.timestamp()) - 3600)
    lies = sealed(certificate, {**MESSAGE, "subject": "not what Graph holds"})
    result, graph, bus, discards = capture(verifier, policy, note([stale], lies))
    assert discards == ["rich_expired_token"] and graph.message_reads == 1
    [event] = result
    assert event.subject != "not what Graph holds"  # the encrypted data was not used
